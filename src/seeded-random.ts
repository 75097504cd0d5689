/**
 * @module The one seeded generator (mulberry32) of the package, its tests
 * and benchmarks: the demo directory, generated corpora and crash schedules
 * come out the same for the same seed. Not for anything secret. Imports nothing.
 */

/** A seeded source of random choices. */
export class SeededRandom {
  #state: number

  constructor(seed: number) {
    this.#state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  /** One of `items`, each equally likely. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p
  }
}
