import type { Logger } from 'pino'
import type { IngestOptions, IngestReport } from '../directory/index.js'
import type { LiveChanges } from '../import/index.js'
import type { StateDelta } from '../rooms/index.js'
import type { DirectoryService } from './directory-service.js'
import type { Clock } from '../clock.js'

/** Ingestion figures for the stats route. */
interface IngestStatus {
  rebuilding: boolean
  /** When the last batch was applied (ms since epoch), or null. */
  last_ingest_at_ms: number | null
  /** How far behind the homeserver the last applied batch was: apply time minus its newest event's `origin_server_ts`, in ms; null when unknown. */
  ingest_lag_ms: number | null
  /** Batches applied since start (duplicates not counted). */
  batches_applied: number
}

/**
 * Sees each live batch just before it is applied (in queue order) and
 * returns what to do once it has applied, or null: the follower's hook.
 */
export type IngestObserver = (deltas: readonly StateDelta[]) => (() => void) | null

/**
 * Runs every write one at a time, in arrival order: appservice and admin
 * ingests, rebuilds, imports (`exclusive`) and the follower's changes, so
 * concurrent pushes (a homeserver retrying a slow transaction) apply in order
 * and once. Named for what it holds: all writes, not only ingests.
 */
export class WriteQueue {
  readonly #dir: DirectoryService
  readonly #clock: Pick<Clock, 'now'>
  readonly #logger: Logger
  readonly #onApplied: (count: number) => void
  readonly #live: LiveChanges | null
  #tail: Promise<unknown> = Promise.resolve()
  #rebuilding = false
  #lastIngestAtMs: number | null = null
  #ingestLagMs: number | null = null
  #batches = 0
  #observer: IngestObserver | null = null

  /** `live`: where applied batches are recorded for a running import (see `LiveChanges`). */
  constructor(dir: DirectoryService, clock: Pick<Clock, 'now'>, logger: Logger, onApplied: (count: number) => void, live: LiveChanges | null = null) {
    this.#dir = dir
    this.#clock = clock
    this.#logger = logger
    this.#onApplied = onApplied
    this.#live = live
  }

  /** Applies a batch after those queued before it; `newestEventMs` is its newest event's `origin_server_ts`, if known. */
  ingest(deltas: StateDelta[], options: IngestOptions, newestEventMs: number | null = null): Promise<IngestReport> {
    return this.#enqueue(async () => {
      const after = this.#observer?.(deltas) ?? null
      const report = await this.#dir.ingest(deltas, options)
      if (report.duplicate === true) return report
      after?.()
      this.#live?.noteDeltas(deltas)
      const nowMs = this.#clock.now()
      this.#batches++
      this.#lastIngestAtMs = nowMs
      this.#ingestLagMs = newestEventMs === null ? null : Math.max(0, nowMs - newestEventMs)
      this.#onApplied(report.applied)
      return report
    })
  }

  /** Sets the hook that sees each live batch (the follower). */
  observe(observer: IngestObserver | null): void {
    this.#observer = observer
  }

  /** Starts a rebuild unless one is running; resolves when it is done. Returns false if one was already running. */
  rebuild(): { started: boolean; done: Promise<void> } {
    if (this.#rebuilding) return { started: false, done: this.#tail.then(() => undefined) }
    this.#rebuilding = true
    this.#logger.info('rebuild started')
    const done = this.#enqueue(async () => {
      try {
        await this.#dir.rebuild()
        this.#logger.info({ entries: this.#dir.stats().entries }, 'rebuild finished')
      } catch (error) {
        this.#logger.error({ err: error }, 'rebuild failed')
      } finally {
        this.#rebuilding = false
      }
    })
    return { started: true, done }
  }

  /** Runs `task` after everything queued before it, with nothing else running (an import's page). */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.#enqueue(task)
  }

  /** Ingestion figures for the stats route. */
  status(): IngestStatus {
    return { rebuilding: this.#rebuilding, last_ingest_at_ms: this.#lastIngestAtMs, ingest_lag_ms: this.#ingestLagMs, batches_applied: this.#batches }
  }

  /** Resolves once everything queued so far has run. */
  async idle(): Promise<void> {
    await this.#tail.catch(() => undefined)
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#tail.catch(() => undefined).then(task)
    this.#tail = run.catch(() => undefined)
    return run
  }
}
