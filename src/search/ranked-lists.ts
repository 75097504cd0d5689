/**
 * Cached rankings. A query's score and tier depend only on the matching
 * user's document and flags, never on who searches (SPEC §3: the requester
 * only decides who is visible), so the full ranked list of a query's matches
 * can be computed once and walked by every requester, filtering visibility
 * as it goes until `limit + 1` visible users are found.
 *
 * A list remembers the index version it was built at. Entries changed since
 * (profile updates, removals, new users) are skipped in the list and ranked
 * afresh from the index's change log, then merged in; past a bound of
 * changes the list is rebuilt instead. Only the head of a list is sorted at
 * build time: the rest (all ranked below the head) is sorted the first time
 * a walk reaches it, which only happens for requesters who can see few of
 * the matches. The cache keeps only the sorted head of a long list (a walk
 * that runs past it rebuilds the full list for that search), so a directory
 * of a million users caches thousands of queries in a few tens of MB.
 */
export interface RankedList {
  /** Matching dense ids: `[0, sorted)` in rank order, `[sorted, length)` unordered and ranked below them. */
  readonly ids: Uint32Array
  /** Score by position in `ids`. */
  readonly scores: Float64Array
  /** Match tier by position in `ids`. */
  readonly tiers: Uint8Array
  sorted: number
  /** The index version the list reflects. */
  readonly version: number
  /** False when only the best matches are kept (a cached head): a walk past its end needs the full list. */
  readonly complete: boolean
}

/** Cache size in list entries (13 bytes each; a list counts 16 more for its own overhead): about 52 MB by default. */
export const DEFAULT_RANKED_LIST_CAPACITY = 4_000_000

/** Least-recently-used lists by query key, bounded by their total length. */
export class RankedListCache {
  readonly #lists = new Map<string, RankedList>()
  readonly #capacity: number
  #size = 0

  constructor(capacity = DEFAULT_RANKED_LIST_CAPACITY) {
    this.#capacity = capacity
  }

  /** Entries held by all lists, plus 16 per list. */
  get size(): number {
    return this.#size
  }

  get(key: string): RankedList | undefined {
    const list = this.#lists.get(key)
    if (list === undefined) return undefined
    // Refresh its place in the LRU order.
    this.#lists.delete(key)
    this.#lists.set(key, list)
    return list
  }

  set(key: string, list: RankedList): void {
    this.delete(key)
    if (weight(list) > this.#capacity) return
    this.#lists.set(key, list)
    this.#size += weight(list)
    for (const [oldest, old] of this.#lists) {
      if (this.#size <= this.#capacity) break
      this.#lists.delete(oldest)
      this.#size -= weight(old)
    }
  }

  delete(key: string): void {
    const list = this.#lists.get(key)
    if (list === undefined) return
    this.#lists.delete(key)
    this.#size -= weight(list)
  }

  clear(): void {
    this.#lists.clear()
    this.#size = 0
  }
}

function weight(list: RankedList): number {
  return list.ids.length + 16
}
