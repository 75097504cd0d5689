import type { Logger } from 'pino'
import { HttpError } from './http-error.js'
import { TokenCache } from './token-cache.js'
import type { NowClock } from './token-cache.js'

/** How a token was resolved, for the token-cache metric. */
export type TokenLookup = 'static' | 'hit' | 'miss'

/** Options of {@link TokenResolver}. */
export interface TokenResolverOptions {
  accessTokens: Readonly<Record<string, string>>
  homeserverUrl: string | undefined
  clock: NowClock
  logger: Logger
  validTtlMs: number
  invalidTtlMs: number
  maxEntries: number
  timeoutMs: number
  onLookup: (kind: TokenLookup) => void
}

/**
 * Turns an access token into a user id: the static map first, then the
 * cache, then the homeserver's `GET /_matrix/client/v3/account/whoami`.
 * Concurrent lookups of one token share one request.
 */
export class TokenResolver {
  readonly #options: TokenResolverOptions
  readonly #cache: TokenCache
  readonly #pending = new Map<string, Promise<string | null>>()

  constructor(options: TokenResolverOptions) {
    this.#options = options
    this.#cache = new TokenCache(options.clock, options)
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
      pending = this.#whoami(token).finally(() => this.#pending.delete(token))
      this.#pending.set(token, pending)
    }
    return pending
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
