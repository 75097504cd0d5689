import type { Logger } from 'pino'

import type { Clock } from '../clock.js'

/** Options of {@link runImport}. Only `homeserverUrl` and `accessToken` are required. */
export interface ImportOptions {
  /** The homeserver's base URL, e.g. `https://matrix.example.org` (the Admin API lives under `/_synapse/admin`). Required. */
  homeserverUrl: string
  /** An access token of a server admin of that homeserver. Required; never logged. */
  accessToken: string
  /**
   * Compare and fix instead of loading: reads everything too, but reports
   * each difference found and does not resume from (or write) the import
   * checkpoint. Default false.
   */
  reconcile?: boolean
  /** Users and rooms asked per Admin API page. Default 100 (Synapse's own default). Larger pages mean fewer round trips and bigger commits. */
  pageSize?: number
  /** Room state requests in flight at once. Default 8. Each one is a state query on Synapse's database: raising it loads the homeserver. */
  concurrency?: number
  /** Attempts per request before the import fails (429 and 5xx and network errors are retried). Default 8. */
  maxAttempts?: number
  /** First back-off after a failed request, ms; doubled per attempt with ±20 % jitter. Default 500. */
  initialBackoffMs?: number
  /** Longest back-off between attempts, ms (a 429's `retry_after_ms` is honoured even when longer). Default 30,000. */
  maxBackoffMs?: number
  /** Give up on one request after this long, ms (then retried). Default 60,000. */
  requestTimeoutMs?: number
  /** Most Admin API requests started per second, or undefined for no cap (the follower's periodic reconcile sets one so it never loads the homeserver). Default none. */
  maxRequestsPerSecond?: number
  /** How often a progress line is logged when not on a TTY, ms. Default 10,000. */
  progressIntervalMs?: number
  /** Stops the import between requests; what was applied stays, with its checkpoint. Default none. */
  signal?: AbortSignal
  /** Time source (progress rates, ETA, log cadence). Default `Date.now`. */
  clock?: Pick<Clock, 'now'>
  /** Waits between retries; tests pass one that returns at once. Default a real timer that the `signal` cuts short. */
  sleep?: (ms: number) => Promise<void>
  /** Draws the retry jitter, in [0, 1). Default `Math.random`. */
  random?: () => number
  /** Called after each page is applied and checkpointed (tests abort here). Default none. */
  afterPage?: (page: { kind: 'users' | 'rooms'; index: number }) => void
  /** Called with the status after each request and page, for a progress bar. Default none. */
  onProgress?: (status: ImportStatus) => void
  /** pino logger; the import logs through a `{ module: 'import' }` child. Default silent. */
  logger?: Logger
}

/** Where an import stands, for progress bars, logs and the stats route. */
export interface ImportStatus {
  mode: 'import' | 'reconcile'
  phase: 'users' | 'rooms' | 'done' | 'failed' | 'aborted'
  /** Users read from the homeserver so far (this run and, when resumed, the runs before). */
  usersDone: number
  /** The homeserver's user count (`total` of the users list), once known. */
  usersTotal: number | null
  roomsDone: number
  /** The homeserver's room count (`total_rooms`), once known. */
  roomsTotal: number | null
  /** Pages read and applied by this run. */
  pages: number
  /** Requests retried by this run (429, 5xx, network). */
  retries: number
  /**
   * What this run changed in the directory: local users whose type or flags
   * differed, local profiles that differed, rooms whose tracked state
   * differed (each room counted once). In reconcile mode these are the
   * differences found and fixed.
   */
  changes: { users: number; profiles: number; rooms: number }
  /** When this run started, ms since the epoch. */
  startedAtMs: number
  /** When it ended, or null while running. */
  finishedAtMs: number | null
  /** True when this run continued an interrupted import. */
  resumed: boolean
  /** Non-fatal problems (a room that vanished, state events skipped); at most 100 kept. */
  warnings: string[]
  /** Why it failed, when `phase` is `failed`. */
  error: string | null
}

/** The defaults of {@link ImportOptions}. */
export const defaultImportOptions = Object.freeze({
  reconcile: false,
  pageSize: 100,
  concurrency: 8,
  maxAttempts: 8,
  initialBackoffMs: 500,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 60_000,
  progressIntervalMs: 10_000,
})
