import type { Logger } from 'pino'
import { matrixErrorOf, parseRoomState, parseRoomsPage, parseUser, parseUsersPage } from './admin-api-wire.js'
import type { AdminUser, RoomsPage, StateEvent, UsersPage } from './admin-api-wire.js'
import { ImportError } from './import-error.js'

/** How the client talks to the homeserver; see `ImportOptions` for each field. */
export interface AdminApiOptions {
  homeserverUrl: string
  accessToken: string
  maxAttempts: number
  initialBackoffMs: number
  maxBackoffMs: number
  requestTimeoutMs: number
  sleep: (ms: number) => Promise<void>
  random: () => number
  signal: AbortSignal | undefined
  logger: Logger
  /** Called before each retry's wait. */
  onRetry: () => void
  /** Most requests started per second (a paced reconcile); undefined for no cap. */
  maxRequestsPerSecond?: number
  /** Called once per HTTP request sent (metrics). */
  onRequest?: () => void
}

// Consecutive 429s tolerated for one request: a rate limit is honoured, not
// counted against maxAttempts, but an endless one still ends the import.
const MAX_RATE_LIMITED = 50

/**
 * The three Synapse Admin API reads an import needs, with retries: 5xx,
 * network errors and timeouts back off exponentially (with jitter) up to
 * `maxAttempts`; a 429 waits exactly its `retry_after_ms` (or `Retry-After`).
 * A 401 or 403 fails at once with an `ImportError` saying which.
 */
export class SynapseAdminClient {
  readonly #options: AdminApiOptions
  readonly #base: string
  // Pacing: when the next request may start (ms, performance clock).
  #nextSlotMs = 0

  constructor(options: AdminApiOptions) {
    this.#options = options
    this.#base = options.homeserverUrl.replace(/\/+$/, '')
  }

  /**
   * One page of local accounts, guests left out, deactivated and locked
   * ones included (`locked=true`: since Synapse 1.93 locked users are
   * otherwise omitted from this list).
   */
  async listUsers(from: string | null, limit: number): Promise<UsersPage> {
    const query = new URLSearchParams({ from: from ?? '0', limit: String(limit), guests: 'false', deactivated: 'true', locked: 'true' })
    const what = `users page from ${from ?? '0'}`
    return parseUsersPage(await this.#get(`/_synapse/admin/v2/users?${query}`, what, false), what)
  }

  /**
   * One page of rooms by offset, ordered by creator then room id: unlike the
   * default order (by name, which a rename changes), that order only moves
   * when rooms are created or purged, so offsets stay put while paging.
   */
  async listRooms(from: number, limit: number): Promise<RoomsPage> {
    const what = `rooms page from ${from}`
    return parseRoomsPage(await this.#get(`/_synapse/admin/v1/rooms?from=${from}&limit=${limit}&order_by=creator`, what, false), what)
  }

  /**
   * A page of local accounts with any filters and order of the users list
   * (`order_by`, `dir`, `guests`, `deactivated`, `locked`, …), as given.
   */
  async listUsersBy(query: Record<string, string>): Promise<UsersPage> {
    const what = `users page (${Object.entries(query).map(([k, v]) => `${k}=${v}`).join(', ')})`
    return parseUsersPage(await this.#get(`/_synapse/admin/v2/users?${new URLSearchParams(query)}`, what, false), what)
  }

  /** One local user's info, or null when the homeserver has no such user (404). */
  async user(userId: string): Promise<AdminUser | null> {
    const what = `user ${userId}`
    const body = await this.#get(`/_synapse/admin/v2/users/${encodeURIComponent(userId)}`, what, true)
    return body === NOT_FOUND ? null : parseUser(body, what)
  }

  /** A room's current state events, or null when the homeserver no longer has the room (404). */
  async roomState(roomId: string): Promise<{ events: StateEvent[]; skipped: number } | null> {
    const what = `state of ${roomId}`
    const body = await this.#get(`/_synapse/admin/v1/rooms/${encodeURIComponent(roomId)}/state`, what, true)
    return body === NOT_FOUND ? null : parseRoomState(body, what)
  }

  async #get(path: string, what: string, notFoundIsNull: boolean): Promise<unknown> {
    const { maxAttempts, logger } = this.#options
    let failures = 0
    let limited = 0
    for (;;) {
      this.#checkAborted()
      await this.#pace()
      this.#checkAborted()
      this.#options.onRequest?.()
      const outcome = await this.#attempt(path, what)
      if (outcome.kind === 'ok') return outcome.body
      if (outcome.kind === 'not_found' && notFoundIsNull) return NOT_FOUND
      if (outcome.kind === 'fatal' || outcome.kind === 'not_found') throw outcome.error
      let waitMs: number
      if (outcome.kind === 'rate_limited') {
        if (++limited > MAX_RATE_LIMITED) throw new ImportError('unavailable', `${what}: still rate-limited (429) after ${MAX_RATE_LIMITED} waits; raise the admin's rate limit or try later`)
        waitMs = outcome.retryAfterMs
      } else {
        if (++failures >= maxAttempts) throw new ImportError('unavailable', `${what}: ${outcome.message}; gave up after ${maxAttempts} attempts`)
        waitMs = this.#backoffMs(failures)
      }
      logger.warn({ what, wait_ms: Math.round(waitMs), problem: outcome.kind === 'rate_limited' ? 'rate limited (429)' : outcome.message }, 'homeserver request failed; retrying')
      this.#options.onRetry()
      await this.#options.sleep(waitMs)
    }
  }

  async #attempt(path: string, what: string): Promise<Outcome> {
    const { accessToken, requestTimeoutMs, signal } = this.#options
    const timeout = AbortSignal.timeout(requestTimeoutMs)
    let response: Response
    let text: string
    try {
      response = await fetch(this.#base + path, {
        headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
      })
      text = await response.text()
    } catch (error) {
      this.#checkAborted()
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
      return { kind: 'retry', message: timeout.aborted ? `no answer within ${requestTimeoutMs} ms` : `could not reach ${this.#base} (${cause})` }
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      body = undefined
    }
    const status = response.status
    if (status === 200) {
      if (body === undefined) return fatal('not_found', `${what}: ${this.#base} answered 200 without JSON; is --homeserver the homeserver's own URL (not a web page in front of it)?`)
      return { kind: 'ok', body }
    }
    const { errcode, error, retryAfterMs } = matrixErrorOf(body)
    const said = `${status}${errcode === null ? '' : ` ${errcode}`}${error === null ? '' : `: ${error}`}`
    if (status === 401) return fatal('unauthorized', `the homeserver rejected the admin token (${said}); check the token file`)
    if (status === 403) return fatal('forbidden', `the token is not a server admin's (${said}); use an access token of a user with admin rights`)
    if (status === 429) return { kind: 'rate_limited', retryAfterMs: retryAfterMs ?? retryAfterHeaderMs(response.headers.get('retry-after')) ?? this.#options.initialBackoffMs }
    if (status === 404) return { kind: 'not_found', error: new ImportError('not_found', `${what}: ${this.#base} has no Synapse Admin API there (${said}); check --homeserver and that /_synapse/admin is reachable`) }
    if (status >= 500 || status === 408) return { kind: 'retry', message: `the homeserver answered ${said}` }
    return fatal('bad_response', `${what}: the homeserver answered ${said}`)
  }

  async #pace(): Promise<void> {
    const rate = this.#options.maxRequestsPerSecond
    if (rate === undefined || !(rate > 0) || !Number.isFinite(rate)) return
    const now = performance.now()
    const start = Math.max(now, this.#nextSlotMs)
    this.#nextSlotMs = start + 1000 / rate
    if (start > now) await this.#options.sleep(start - now)
  }

  #backoffMs(failures: number): number {
    const { initialBackoffMs, maxBackoffMs, random } = this.#options
    const base = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (failures - 1))
    return base * (0.8 + 0.4 * random())
  }

  #checkAborted(): void {
    if (this.#options.signal?.aborted === true) throw new ImportError('aborted', 'the import was stopped')
  }
}

const NOT_FOUND = Symbol('not found')

type Outcome =
  | { kind: 'ok'; body: unknown }
  | { kind: 'retry'; message: string }
  | { kind: 'rate_limited'; retryAfterMs: number }
  | { kind: 'not_found'; error: ImportError }
  | { kind: 'fatal'; error: ImportError }

function fatal(reason: ImportError['reason'], message: string): Outcome {
  return { kind: 'fatal', error: new ImportError(reason, message) }
}

// `Retry-After: <seconds>` (an HTTP date is not worth parsing here).
function retryAfterHeaderMs(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value.trim())) return null
  return Number(value.trim()) * 1000
}
