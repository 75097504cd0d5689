import type { Clock } from '../clock.js'

interface CachedToken {
  userId: string | null
  expiresAtMs: number
  bytes: number
}

/** Options of {@link TokenCache}. */
interface TokenCacheOptions {
  /** How long a valid token is remembered, ms. */
  validTtlMs: number
  /** How long an invalid token is remembered as invalid, ms. */
  invalidTtlMs: number
  /** Most tokens in each pool (valid, invalid). */
  maxEntries: number
  /** Most bytes in each pool, keys included (see {@link tokenEntryBytes}). Default 4 MiB. */
  maxBytes?: number
}

/** The bytes one cached token is counted as: its UTF-16 key and user id, plus the Map entry and record. */
export function tokenEntryBytes(token: string, userId: string | null): number {
  return 2 * (token.length + (userId?.length ?? 0)) + ENTRY_OVERHEAD_BYTES
}

// A Map entry (key, value, chain: ~40 bytes in V8's OrderedHashMap) plus the
// record object and its number (~56), rounded up.
const ENTRY_OVERHEAD_BYTES = 112

/** The default byte bound of each pool. */
const DEFAULT_TOKEN_CACHE_BYTES = 4 * 1024 * 1024

// One least-recently-used pool, bounded in entries and bytes.
class Pool {
  // Least recently used first: a Map keeps insertion order, and a hit moves
  // its entry to the end.
  readonly byToken = new Map<string, CachedToken>()
  bytes = 0
  constructor(readonly maxEntries: number, readonly maxBytes: number) {}

  get(token: string): CachedToken | undefined {
    const entry = this.byToken.get(token)
    if (entry === undefined) return undefined
    this.byToken.delete(token)
    this.byToken.set(token, entry)
    return entry
  }

  delete(token: string): void {
    const entry = this.byToken.get(token)
    if (entry === undefined) return
    this.byToken.delete(token)
    this.bytes -= entry.bytes
  }

  set(token: string, entry: CachedToken): void {
    this.delete(token)
    if (entry.bytes > this.maxBytes) return
    this.byToken.set(token, entry)
    this.bytes += entry.bytes
    while (this.byToken.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.delete(this.byToken.keys().next().value as string)
    }
  }
}

/**
 * What the homeserver said about access tokens, remembered for a while:
 * valid tokens for `validTtlMs`, invalid ones (`userId: null`) for
 * `invalidTtlMs`. Valid and invalid tokens live in separate pools, so a
 * flood of invalid tokens cannot evict a valid one; each pool keeps at most
 * `maxEntries` tokens and `maxBytes` bytes (keys included), and drops its
 * least recently used token first (a hit counts as a use).
 */
export class TokenCache {
  readonly #clock: Pick<Clock, 'now'>
  readonly #validTtlMs: number
  readonly #invalidTtlMs: number
  readonly #valid: Pool
  readonly #invalid: Pool

  constructor(clock: Pick<Clock, 'now'>, options: TokenCacheOptions) {
    this.#clock = clock
    this.#validTtlMs = options.validTtlMs
    this.#invalidTtlMs = options.invalidTtlMs
    const maxBytes = options.maxBytes ?? DEFAULT_TOKEN_CACHE_BYTES
    this.#valid = new Pool(options.maxEntries, maxBytes)
    this.#invalid = new Pool(options.maxEntries, maxBytes)
  }

  /** The user id (or `null` for a known-invalid token), or `undefined` when nothing fresh is cached. */
  get(token: string): string | null | undefined {
    for (const pool of [this.#valid, this.#invalid]) {
      const entry = pool.get(token)
      if (entry === undefined) continue
      if (entry.expiresAtMs <= this.#clock.now()) {
        pool.delete(token)
        return undefined
      }
      return entry.userId
    }
    return undefined
  }

  /** Remembers a token's user id, or `null` for an invalid token. */
  set(token: string, userId: string | null): void {
    const ttlMs = userId === null ? this.#invalidTtlMs : this.#validTtlMs
    const entry = { userId, expiresAtMs: this.#clock.now() + ttlMs, bytes: tokenEntryBytes(token, userId) }
    if (userId === null) {
      this.#valid.delete(token)
      this.#invalid.set(token, entry)
    } else {
      this.#invalid.delete(token)
      this.#valid.set(token, entry)
    }
  }

  /** Number of tokens remembered. */
  get size(): number {
    return this.#valid.byToken.size + this.#invalid.byToken.size
  }

  /** Bytes the remembered tokens are counted as, keys included. */
  get bytes(): number {
    return this.#valid.bytes + this.#invalid.bytes
  }
}
