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

/** Cache size in list entries (13 bytes each; a list counts 16 more for its own overhead). */
export const DEFAULT_RANKED_LIST_CAPACITY = 4_000_000

/**
 * Cache size in bytes, keys included (see {@link rankedListBytes}): the LRU
 * lists never weigh more than this. 52 MB, what 4M list entries take.
 */
export const DEFAULT_RANKED_LIST_BYTES = 52_000_000

// What a cached list costs besides its arrays' buffers: the list record, three
// typed-array and three ArrayBuffer objects with their backing-store records,
// the key string's header and the Map entry (measured by
// bench/experiments/ranked-list-memory.ts: retained heap per cached empty list).
const LIST_OVERHEAD_BYTES = 700

/**
 * The bytes one cached list is counted as: its arrays' whole buffers, its key
 * (two bytes a character) and {@link LIST_OVERHEAD_BYTES}.
 */
export function rankedListBytes(key: string, list: RankedList): number {
  return list.ids.buffer.byteLength + list.scores.buffer.byteLength + list.tiers.buffer.byteLength + 2 * key.length + LIST_OVERHEAD_BYTES
}

/**
 * Least-recently-used lists by query key, bounded by their total length
 * and by their bytes with their keys (a key is the whole parsed query, up to
 * a few KB), plus pinned keys: the rankings of frequent prefixes built ahead of any
 * search (see `FrequentPrefixes`), which are never evicted and survive
 * `clear()`. A pinned key's list is replaced like any other when it is
 * rebuilt; `size` counts the LRU lists only, `pinnedSize` the pinned ones.
 */
export class RankedListCache {
  readonly #lists = new Map<string, RankedList>()
  readonly #pinned = new Map<string, RankedList | undefined>()
  readonly #capacity: number
  readonly #maxBytes: number
  #size = 0
  #bytes = 0
  #pinnedSize = 0

  constructor(capacity = DEFAULT_RANKED_LIST_CAPACITY, maxBytes = DEFAULT_RANKED_LIST_BYTES) {
    this.#capacity = capacity
    this.#maxBytes = maxBytes
  }

  /** Bytes the LRU lists are counted as, keys included (see {@link rankedListBytes}). */
  get bytes(): number {
    return this.#bytes
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
    const bytes = rankedListBytes(key, list)
    if (weight(list) > this.#capacity || bytes > this.#maxBytes) return
    this.#lists.set(key, list)
    this.#size += weight(list)
    this.#bytes += bytes
    for (const [oldest, old] of this.#lists) {
      if (this.#size <= this.#capacity && this.#bytes <= this.#maxBytes) break
      this.#lists.delete(oldest)
      this.#size -= weight(old)
      this.#bytes -= rankedListBytes(oldest, old)
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
    this.#bytes -= rankedListBytes(key, list)
  }

  /** Drops the LRU lists (the queries searched so far); pinned lists stay. */
  clear(): void {
    this.#lists.clear()
    this.#size = 0
    this.#bytes = 0
  }
}

function weightOf(list: RankedList | undefined): number {
  return list === undefined ? 0 : weight(list)
}

function weight(list: RankedList): number {
  return list.ids.length + 16
}
