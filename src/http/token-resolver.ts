import type { Logger } from 'pino'
import { HttpError } from './http-error.js'
import { TokenCache } from './token-cache.js'
import type { Clock } from '../clock.js'

/** How a token was resolved, for the token-cache metric. */
export type TokenLookup = 'static' | 'hit' | 'miss'

/** Options of {@link TokenResolver}. */
interface TokenResolverOptions {
  accessTokens: Readonly<Record<string, string>>
  homeserverUrl: string | undefined
  clock: Pick<Clock, 'now'>
  logger: Logger
  validTtlMs: number
  invalidTtlMs: number
  maxEntries: number
  timeoutMs: number
  onLookup: (kind: TokenLookup) => void
  /** Most whoami requests in flight at once. Default 32. */
  maxConcurrentWhoami?: number
  /** Most token checks waiting for a whoami slot; more are 429 `M_LIMIT_EXCEEDED`. Default 1,024. */
  maxQueuedWhoami?: number
  /** Most bytes each token-cache pool keeps, keys included. Default 4 MiB. */
  cacheBytes?: number
}

/** How long a client told to wait for a whoami slot should wait, ms. */
const WHOAMI_RETRY_AFTER_MS = 1_000

/**
 * Turns an access token into a user id: the static map first, then the
 * cache, then the homeserver's `GET /_matrix/client/v3/account/whoami`.
 * Concurrent lookups of one token share one request.
 */
export class TokenResolver {
  readonly #options: TokenResolverOptions
  readonly #cache: TokenCache
  readonly #pending = new Map<string, Promise<string | null>>()
  // whoami requests in flight, and the checks waiting for one to end.
  #active = 0
  readonly #waiting: (() => void)[] = []
  readonly #maxActive: number
  readonly #maxWaiting: number

  constructor(options: TokenResolverOptions) {
    this.#options = options
    this.#cache = new TokenCache(options.clock, { ...options, maxBytes: options.cacheBytes })
    this.#maxActive = options.maxConcurrentWhoami ?? 32
    this.#maxWaiting = options.maxQueuedWhoami ?? 1_024
  }

  /**
   * The user id of `token`; throws 401 `M_UNKNOWN_TOKEN` only when the homeserver
   * said so, 403 for guests, 502 when the homeserver cannot answer and 503 when
   * none is configured: clients log the user out on a 401, so a token nobody
   * could check is never one.
   */
  async resolve(token: string): Promise<string> {
    const fixed = Object.hasOwn(this.#options.accessTokens, token) ? this.#options.accessTokens[token] : undefined
    if (fixed !== undefined) {
      this.#options.onLookup('static')
      return fixed
    }
    const cached = this.#cache.get(token)
    let userId: string | null
    if (cached !== undefined) {
      this.#options.onLookup('hit')
      userId = cached
    } else {
      this.#options.onLookup('miss')
      userId = await this.#lookupOnce(token)
    }
    if (userId === null) throw new HttpError(401, 'M_UNKNOWN_TOKEN', 'Unrecognised access token.')
    return userId
  }

  #lookupOnce(token: string): Promise<string | null> {
    let pending = this.#pending.get(token)
    if (pending === undefined) {
      pending = this.#withSlot(() => this.#whoami(token)).finally(() => this.#pending.delete(token))
      this.#pending.set(token, pending)
    }
    return pending
  }

  // Runs a whoami in one of the `maxConcurrentWhoami` slots, waiting in a
  // bounded queue for one; past the queue, 429 with a time to retry (not
  // 401, which would make a Matrix client log out).
  async #withSlot<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#maxActive) {
      if (this.#waiting.length >= this.#maxWaiting) {
        throw new HttpError(429, 'M_LIMIT_EXCEEDED', 'Too many access tokens are being checked; retry later.', { retry_after_ms: WHOAMI_RETRY_AFTER_MS })
      }
      // The slot is handed over by the task that ends, so #active stays counted.
      await new Promise<void>((resolve) => this.#waiting.push(resolve))
    } else {
      this.#active++
    }
    try {
      return await task()
    } finally {
      const next = this.#waiting.shift()
      if (next !== undefined) next()
      else this.#active--
    }
  }

  async #whoami(token: string): Promise<string | null> {
    const base = this.#options.homeserverUrl
    if (base === undefined) throw new HttpError(503, 'M_UNKNOWN', 'No homeserver is configured to check this access token.')
    const url = `${base.replace(/\/+$/, '')}/_matrix/client/v3/account/whoami`
    let response: Response
    let body: unknown
    try {
      response = await fetch(url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(this.#options.timeoutMs) })
      body = await response.json().catch(() => null)
    } catch (error) {
      this.#options.logger.warn({ err: error, url }, 'could not reach the homeserver to check an access token')
      throw new HttpError(502, 'M_UNKNOWN', 'Could not reach the homeserver to check the access token.', {}, { cause: error })
    }
    if (response.status === 401 || response.status === 403) {
      this.#cache.set(token, null)
      return null
    }
    if (response.ok && isWhoami(body)) {
      // whoami accepts guest tokens, but guests may not search (Synapse: allow_guest=False).
      if (body.is_guest === true) throw new HttpError(403, 'M_GUEST_ACCESS_FORBIDDEN', 'Guest access not allowed')
      this.#cache.set(token, body.user_id)
      return body.user_id
    }
    this.#options.logger.warn({ status: response.status, url }, 'unexpected answer from the homeserver to whoami')
    throw new HttpError(502, 'M_UNKNOWN', `The homeserver answered ${response.status} when checking the access token.`)
  }
}

function isWhoami(body: unknown): body is { user_id: string; is_guest?: unknown } {
  return typeof body === 'object' && body !== null && typeof (body as { user_id?: unknown }).user_id === 'string'
}
