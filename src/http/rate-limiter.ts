import type { Clock } from '../clock.js'

/** A per-key limit: `perSecond` actions per second on average, `burst` at once. */
export interface RateLimit {
  /** Sustained rate, actions per second. Synapse's default for this endpoint: 0.016. */
  perSecond: number
  /** Actions allowed at once before the rate applies. Synapse's default: 200. */
  burst: number
}

/** Synapse's defaults for the user directory search (SPEC §6). */
export const defaultRateLimit: Readonly<RateLimit> = Object.freeze({ perSecond: 0.016, burst: 200 })

interface Bucket {
  count: number
  atMs: number
}

/**
 * A leaky bucket per key, as Synapse's `Ratelimiter`: each action adds one,
 * the level drains at `perSecond`, and an action that would take the level
 * past `burst` is refused. At most `maxKeys` buckets are kept; the least
 * recently used is forgotten first.
 */
export class RateLimiter {
  readonly #limit: RateLimit
  readonly #clock: Pick<Clock, 'now'>
  readonly #maxKeys: number
  readonly #byKey = new Map<string, Bucket>()

  constructor(limit: RateLimit, clock: Pick<Clock, 'now'>, maxKeys = 100_000) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) throw new Error(`rate limit needs perSecond > 0 and burst >= 1, got ${JSON.stringify(limit)}`)
    this.#limit = limit
    this.#clock = clock
    this.#maxKeys = maxKeys
  }

  /** Counts one action for `key`: `0` if allowed, else how many ms until it would be. */
  take(key: string): number {
    const nowMs = this.#clock.now()
    const bucket = this.#byKey.get(key)
    const drained = bucket === undefined ? 0 : Math.max(0, bucket.count - ((nowMs - bucket.atMs) / 1000) * this.#limit.perSecond)
    if (drained + 1 > this.#limit.burst) {
      const waitMs = ((drained + 1 - this.#limit.burst) / this.#limit.perSecond) * 1000
      // Shave float noise (0.6000000000000001 s) before rounding up to whole ms.
      return Math.max(1, Math.ceil(waitMs - 1e-6))
    }
    this.#byKey.delete(key)
    this.#byKey.set(key, { count: drained + 1, atMs: nowMs })
    if (this.#byKey.size > this.#maxKeys) this.#byKey.delete(this.#byKey.keys().next().value as string)
    return 0
  }
}
