/** A time source in milliseconds (the directory's `Clock` fits). */
export interface NowClock {
  now(): number
}

interface CachedToken {
  userId: string | null
  expiresAtMs: number
}

/**
 * What the homeserver said about access tokens, remembered for a while:
 * valid tokens for `validTtlMs`, invalid ones (`userId: null`) for
 * `invalidTtlMs`. At most `maxEntries` are kept; the oldest goes first.
 */
export class TokenCache {
  readonly #clock: NowClock
  readonly #validTtlMs: number
  readonly #invalidTtlMs: number
  readonly #maxEntries: number
  // Oldest first: a Map keeps insertion order.
  readonly #byToken = new Map<string, CachedToken>()

  constructor(clock: NowClock, options: { validTtlMs: number; invalidTtlMs: number; maxEntries: number }) {
    this.#clock = clock
    this.#validTtlMs = options.validTtlMs
    this.#invalidTtlMs = options.invalidTtlMs
    this.#maxEntries = options.maxEntries
  }

  /** The user id (or `null` for a known-invalid token), or `undefined` when nothing fresh is cached. */
  get(token: string): string | null | undefined {
    const entry = this.#byToken.get(token)
    if (entry === undefined) return undefined
    if (entry.expiresAtMs <= this.#clock.now()) {
      this.#byToken.delete(token)
      return undefined
    }
    return entry.userId
  }

  /** Remembers a token's user id, or `null` for an invalid token. */
  set(token: string, userId: string | null): void {
    const ttlMs = userId === null ? this.#invalidTtlMs : this.#validTtlMs
    this.#byToken.delete(token)
    this.#byToken.set(token, { userId, expiresAtMs: this.#clock.now() + ttlMs })
    while (this.#byToken.size > this.#maxEntries) {
      const oldest = this.#byToken.keys().next().value as string
      this.#byToken.delete(oldest)
    }
  }

  /** Number of tokens remembered. */
  get size(): number {
    return this.#byToken.size
  }
}
