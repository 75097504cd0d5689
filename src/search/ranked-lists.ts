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

/**
 * Least-recently-used lists by query key, bounded by their total length,
 * plus pinned keys: the rankings of frequent prefixes built ahead of any
 * search (see `frequentLexemes`), which are never evicted and survive
 * `clear()`. A pinned key's list is replaced like any other when it is
 * rebuilt; `size` counts the LRU lists only, `pinnedSize` the pinned ones.
 */
export class RankedListCache {
  readonly #lists = new Map<string, RankedList>()
  readonly #pinned = new Map<string, RankedList | undefined>()
  readonly #capacity: number
  #size = 0
  #pinnedSize = 0

  constructor(capacity = DEFAULT_RANKED_LIST_CAPACITY) {
    this.#capacity = capacity
  }

  /** Entries held by the LRU lists, plus 16 per list. */
  get size(): number {
    return this.#size
  }

  /** Entries held by pinned lists, plus 16 per list. */
  get pinnedSize(): number {
    return this.#pinnedSize
  }

  /** Number of pinned keys (with or without a list yet). */
  get pinnedCount(): number {
    return this.#pinned.size
  }

  get(key: string): RankedList | undefined {
    const pinned = this.#pinned.get(key)
    if (pinned !== undefined) return pinned
    const list = this.#lists.get(key)
    if (list === undefined) return undefined
    // Refresh its place in the LRU order.
    this.#lists.delete(key)
    this.#lists.set(key, list)
    return list
  }

  set(key: string, list: RankedList): void {
    if (this.#pinned.has(key)) {
      this.#pinnedSize += weight(list) - weightOf(this.#pinned.get(key))
      this.#pinned.set(key, list)
      return
    }
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

  /** Keeps `key`'s list (from now, or its LRU list if cached) out of eviction and `clear()`. */
  pin(key: string): void {
    if (this.#pinned.has(key)) return
    const list = this.#lists.get(key)
    this.delete(key)
    this.#pinned.set(key, list)
    this.#pinnedSize += weightOf(list)
  }

  /** Drops every pinned key and its list. */
  unpinAll(): void {
    this.#pinned.clear()
    this.#pinnedSize = 0
  }

  /** Drops the pinned keys (and lists) not in `keep`. */
  unpinExcept(keep: ReadonlySet<string>): void {
    for (const [key, list] of this.#pinned) {
      if (keep.has(key)) continue
      this.#pinned.delete(key)
      this.#pinnedSize -= weightOf(list)
    }
  }

  delete(key: string): void {
    const list = this.#lists.get(key)
    if (list === undefined) return
    this.#lists.delete(key)
    this.#size -= weight(list)
  }

  /** Drops the LRU lists (the queries searched so far); pinned lists stay. */
  clear(): void {
    this.#lists.clear()
    this.#size = 0
  }
}

function weightOf(list: RankedList | undefined): number {
  return list === undefined ? 0 : weight(list)
}

function weight(list: RankedList): number {
  return list.ids.length + 16
}
