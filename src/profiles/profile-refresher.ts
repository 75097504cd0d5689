import type { Logger } from 'pino'
import type { Clock } from '../clock.js'
import { ProfileFetchError } from '../errors.js'
import type { ServerName, UserId } from '../ids/index.js'
import { cleanProfileText } from '../rooms/index.js'
import type { Profile, StaleMark } from './directory-entries.js'


/** What the refresher asks of the directory that owns the stale marks. */
export interface RefreshHost {
  /** Servers with a stale user due at `nowMs` (earliest first), at most `limit`. */
  dueServers(nowMs: number, limit: number): ServerName[]
  /** Up to `limit` stale users of `server` due at `nowMs`, earliest first. */
  dueUsers(server: ServerName, nowMs: number, limit: number): { userId: UserId; mark: StaleMark }[]
  /** The earliest `nextTryAtMs` of any stale user, if any. */
  earliestNextTryAtMs(): number | undefined
  /** Whether the user is still marked stale (not dropped, not refreshed by another route). */
  isStale(userId: UserId): boolean
  /** Stores a fetched profile (which clears the stale mark). */
  storeFetched(userId: UserId, profile: Profile): void
  clearStale(userId: UserId): void
  markStale(userId: UserId, mark: StaleMark): void
}

/** A remote user's global profile fetch; see `ProfileFetchError` for "not found" and "in back-off". */
export type FetchProfile = (userId: string) => Promise<{ displayname?: unknown; avatar_url?: unknown }>

// Synapse's constants (handlers/user_directory.py).
const MAX_SERVERS_AT_ONCE = 5
const USERS_PER_BATCH = 10
const RECHECK_INTERVAL_MS = 15_000
/** A user seen in a private room is refreshed this long after being marked stale. */
export const STALE_REFRESH_DELAY_MS = 60_000
/** After the directory could not store a refresh (disk full, read-only store), the next look waits this long. */
export const STORE_FAILURE_RETRY_MS = 60_000

/** When to try again after `retryCounter` failures: 5 min, 25 min, 2 h, 10 h, 52 h, 10 days, 7.75 weeks, then 7.75 weeks. */
function nextRetryAtMs(nowMs: number, retryCounter: number): number {
  return nowMs + 60_000 * 5 ** Math.min(retryCounter, 7)
}

/**
 * Refreshes the global profiles of remote users marked stale (SPEC §5), with
 * Synapse's schedule: at most 5 servers at once, 10 users per batch, a look
 * for more servers every 15 s while any are due, and when none is due a
 * wake-up 2 s after the earliest next try. Failures back off
 * exponentially; a server in back-off is retried when its back-off ends.
 * Runs in the background and never rejects: when the directory cannot
 * store a result (the host throws), the run stops, logs, and the users stay
 * due for the next look, {@link STORE_FAILURE_RETRY_MS} later.
 */
export class ProfileRefresher {
  readonly #host: RefreshHost
  readonly #fetch: FetchProfile
  readonly #clock: Clock
  readonly #logger: Logger
  readonly #busyServers = new Set<ServerName>()
  readonly #timers = new Set<unknown>()
  #kickTimer: unknown
  #isKicking = false
  #closed = false

  constructor(host: RefreshHost, fetch: FetchProfile, clock: Clock, logger: Logger) {
    this.#host = host
    this.#fetch = fetch
    this.#clock = clock
    this.#logger = logger
  }

  /** A user of `server` was just marked stale: refresh that server 61 s from now, and look again 121 s from now. */
  onMarkedStale(server: ServerName): void {
    this.#later(STALE_REFRESH_DELAY_MS + 1_000, () => this.refreshServer(server))
    this.#later(2 * STALE_REFRESH_DELAY_MS + 1_000, () => this.kick())
  }

  /** Schedules the first look (at start, with stale users already stored). */
  start(delayMs = 10_000): void {
    this.#scheduleKick(delayMs)
  }

  /** Looks for servers with due users and refreshes up to 5 of them at once. */
  kick(): void {
    if (this.#closed || this.#isKicking) return
    this.#isKicking = true
    try {
      this.#cancelKick()
      const room = MAX_SERVERS_AT_ONCE - this.#busyServers.size
      if (room <= 0) {
        this.#scheduleKick(RECHECK_INTERVAL_MS)
        return
      }
      const nowMs = this.#clock.now()
      // As in Synapse, servers already being refreshed are not skipped here;
      // refreshServer ignores them.
      const servers = this.#host.dueServers(nowMs, room)
      if (servers.length === 0) {
        const earliest = this.#host.earliestNextTryAtMs()
        // Synapse: call_later((next_try_at - now) // 1000 + 2 seconds).
        if (earliest !== undefined) this.#scheduleKick(Math.max(1, Math.floor((earliest - nowMs) / 1000) + 2) * 1000)
        return
      }
      for (const server of servers) this.#inBackground(this.refreshServer(server))
      this.#scheduleKick(RECHECK_INTERVAL_MS)
    } finally {
      this.#isKicking = false
    }
  }

  /**
   * Refreshes every due user of one server, 10 at a time, unless that
   * server is already being refreshed. Never rejects: a result the host
   * cannot store ends the run (logged) and the next look comes after
   * {@link STORE_FAILURE_RETRY_MS}.
   */
  async refreshServer(server: ServerName): Promise<void> {
    if (this.#closed || this.#busyServers.has(server)) return
    this.#busyServers.add(server)
    // Each user is tried once per run, even if a failure leaves them due
    // (a back-off that has already ended): the next look tries again.
    const tried = new Set<UserId>()
    try {
      for (;;) {
        const batch = this.#host.dueUsers(server, this.#clock.now(), USERS_PER_BATCH).filter(({ userId }) => !tried.has(userId))
        if (batch.length === 0 || this.#closed) return
        for (const { userId, mark } of batch) {
          tried.add(userId)
          await this.#refreshUser(userId, mark)
        }
      }
    } catch (error) {
      this.#logger.error({ err: error, server, retryInMs: STORE_FAILURE_RETRY_MS }, 'profile refresh stopped: the directory could not store a result; trying again later')
      this.#scheduleKick(STORE_FAILURE_RETRY_MS)
    } finally {
      this.#busyServers.delete(server)
    }
  }

  /** Cancels every timer; in-flight fetches finish but change nothing. */
  close(): void {
    this.#closed = true
    for (const handle of this.#timers) this.#clock.clearTimeout(handle)
    this.#timers.clear()
    this.#kickTimer = undefined
  }

  async #refreshUser(userId: UserId, mark: StaleMark): Promise<void> {
    let profile: { displayname?: unknown; avatar_url?: unknown }
    try {
      profile = await this.#fetch(userId)
    } catch (error) {
      if (this.#closed || !this.#host.isStale(userId)) return
      const retryCounter = mark.retryCounter + 1
      if (error instanceof ProfileFetchError && error.isNotFound) {
        this.#logger.warn({ userId }, 'remote profile not found; keeping the entry as it is')
        this.#host.clearStale(userId)
      } else if (error instanceof ProfileFetchError && error.backoffUntilMs !== undefined) {
        this.#logger.info({ userId, untilMs: error.backoffUntilMs }, 'remote server in back-off')
        this.#host.markStale(userId, { nextTryAtMs: error.backoffUntilMs, retryCounter })
      } else {
        this.#logger.warn({ userId, err: String(error) }, 'remote profile fetch failed')
        this.#host.markStale(userId, { nextTryAtMs: nextRetryAtMs(this.#clock.now(), retryCounter), retryCounter })
      }
      return
    }
    if (this.#closed || !this.#host.isStale(userId)) return
    this.#host.storeFetched(userId, { displayName: cleanProfileText(profile?.displayname), avatarUrl: cleanProfileText(profile?.avatar_url) })
  }

  // A step started in the background: its failure is logged, never unhandled.
  #inBackground(result: unknown): void {
    if (result instanceof Promise) result.catch((error: unknown) => this.#logger.error({ err: error }, 'profile refresher: a background step failed'))
  }

  #scheduleKick(delayMs: number): void {
    this.#cancelKick()
    this.#kickTimer = this.#later(delayMs, () => this.kick())
  }

  #cancelKick(): void {
    if (this.#kickTimer === undefined) return
    this.#clock.clearTimeout(this.#kickTimer)
    this.#timers.delete(this.#kickTimer)
    this.#kickTimer = undefined
  }

  #later(delayMs: number, run: () => unknown): unknown {
    if (this.#closed) return undefined
    const handle: unknown = this.#clock.setTimeout(() => {
      this.#timers.delete(handle)
      if (this.#kickTimer === handle) this.#kickTimer = undefined
      try {
        this.#inBackground(run())
      } catch (error) {
        this.#logger.error({ err: error }, 'profile refresher: a scheduled step failed')
      }
    }, delayMs)
    this.#timers.add(handle)
    return handle
  }
}
