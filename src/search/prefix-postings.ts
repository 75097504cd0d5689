import flexsearch from 'flexsearch'
import type { UserDocument } from '../text/index.js'

/**
 * Only this many leading characters of a lexeme are indexed: FlexSearch's
 * forward tokenizer stores every prefix of every term, and the long
 * prefixes are nearly all unique, each costing a key and an array. Longer
 * query lexemes are looked up by their first characters and checked exactly
 * against the document afterwards (the scorer does that check anyway, and
 * the prefix signature of `prefix-signature.ts` skips most such candidates
 * first). Measured at 1M bench users: 24 characters cost 1,115 B of heap
 * per user and 29 s to add everyone; 6 characters 426 B and 10 s, while the
 * bench query mix's candidates grow by 1.8% on average
 * (bench/experiments/index-cap.ts --size 1m, FlexSearch's own `add`). The
 * infix tier's suffixes are cut the same way.
 */
export const MAX_INDEXED_PREFIX = 6

/** Lists of dense ids (their concatenation, possibly with repeats across lists, is the answer). */
export type PostingLists = readonly (readonly number[])[]

/**
 * Dense ids filed under every prefix (up to {@link MAX_INDEXED_PREFIX}
 * characters) of their documents' lexemes, so every id with a lexeme
 * starting with a given prefix is found without looking at any document.
 * Implemented over FlexSearch ({@link FlexPrefixPostings}, the one file
 * importing it); test/search/ runs the same cases against a brute-force twin.
 */
export interface PrefixPostings {
  /** Files `id` under every key of the documents' lexemes, once per key. `id` must not be filed yet. */
  add(id: number, documents: readonly UserDocument[]): void
  /** Takes `id` out of every key of the documents' lexemes (those it was added with). */
  remove(id: number, documents: readonly UserDocument[]): void
  /**
   * The ids with a lexeme starting with `prefix`'s first
   * {@link MAX_INDEXED_PREFIX} characters (a superset when `prefix` is
   * longer). Borrowed: read the arrays, never sort or mutate them, and do not
   * keep them across a change. Two calls for one key may return the same
   * arrays (the searcher then skips the repeat without counting it).
   */
  candidates(prefix: string): PostingLists
}

// Terms whose keys' lists are remembered for adding (see `add`); the
// table starts afresh beyond this (1M bench users have ~27k terms).
const TERM_LISTS_MAX = 1 << 17

interface FlexIndex {
  search(query: string, options: { resolve: false }): { result: number[][] }
  /** Its forward index: each key (a term's prefix) → id lists by resolution slot (one slot here). */
  map: Map<string, number[][]>
}

/**
 * {@link PrefixPostings} in a FlexSearch forward index. Queries go through
 * FlexSearch's own `search`; ids are filed into and out of its private
 * forward map (`map`) by this class, under exactly the keys FlexSearch's own
 * `add` would use (every prefix of every term, an id once per key,
 * appended; test/search/search-index.test.ts checks the lists against
 * `add`'s), which is faster than `add` because each term's key lists are
 * remembered (bench/README.md's table gives what it did to rebuild and
 * reopen); and without `fastupdate` or `add`, FlexSearch's register of ids
 * (a Set of every entry) is unused.
 */
export class FlexPrefixPostings implements PrefixPostings {
  readonly #flex: FlexIndex
  // term → the lists of its keys in FlexSearch's map, valid while no key is dropped.
  readonly #listsOfTerm = new Map<string, number[][]>()

  constructor() {
    const { Index } = flexsearch as unknown as { Index: new (options: object) => FlexIndex }
    this.#flex = new Index({
      tokenize: 'forward',
      resolution: 1,
      fastupdate: false,
      // Our lexemes are the terms: the default encoder would fold '99' to '9' and split 'alice.smith'.
      encode: (text: string) => text.split(' '),
    })
    if (!(this.#flex.map instanceof Map)) {
      throw new Error('FlexPrefixPostings: this FlexSearch build does not keep its forward index as `map` (a Map), which adding and removing rely on; use the version in package-lock.json')
    }
  }

  // Appends `id` to the list of every key of the documents' terms (each
  // term's prefixes, FlexSearch's forward keys), once per key. A term's
  // lists are looked up once and remembered: terms recur (~27k among 1M
  // bench users), and each lookup of a key slices and hashes a new string.
  add(id: number, documents: readonly UserDocument[]): void {
    const map = this.#flex.map
    for (const term of termSet(documents)) {
      let lists = this.#listsOfTerm.get(term)
      if (lists === undefined) {
        lists = []
        for (const key of forwardKeysOf(term)) {
          let slots = map.get(key)
          if (slots === undefined) map.set(key, (slots = [[]]))
          lists.push(slots[0])
        }
        if (this.#listsOfTerm.size >= TERM_LISTS_MAX) this.#listsOfTerm.clear()
        this.#listsOfTerm.set(term, lists)
      }
      // A key two terms share (`al` of `alice` and `alan`) lists the id once.
      for (const list of lists) if (list[list.length - 1] !== id) list.push(id)
    }
  }

  // Takes `id` out of the lists of every key, dropping keys left empty (and
  // with them the remembered lists, which may hold a dropped one). Cost: an
  // indexOf per key, as FlexSearch's own fast update.
  remove(id: number, documents: readonly UserDocument[]): void {
    const map = this.#flex.map
    for (const key of forwardKeys(documents)) {
      const list = map.get(key)?.[0]
      if (list === undefined) continue
      const at = list[list.length - 1] === id ? list.length - 1 : list.indexOf(id)
      if (at < 0) continue
      if (at === list.length - 1) list.pop()
      else list.splice(at, 1)
      if (list.length === 0) {
        map.delete(key)
        this.#listsOfTerm.clear()
      }
    }
  }

  candidates(prefix: string): PostingLists {
    return this.#flex.search(prefix.slice(0, MAX_INDEXED_PREFIX), { resolve: false }).result
  }
}

/** The documents' lexemes cut to {@link MAX_INDEXED_PREFIX} characters, each once: the terms filed. */
function termSet(documents: readonly UserDocument[]): Set<string> {
  const terms = new Set<string>()
  for (const document of documents) for (const lexeme of document.lexemes) terms.add(lexeme.slice(0, MAX_INDEXED_PREFIX))
  return terms
}

// The keys FlexSearch's forward tokenizer files a term under: every prefix of it.
function forwardKeysOf(term: string): string[] {
  const keys: string[] = []
  for (let k = 1; k <= term.length; k++) keys.push(term.slice(0, k))
  return keys
}

// The keys of all the documents' terms, each once.
function forwardKeys(documents: readonly UserDocument[]): Set<string> {
  const keys = new Set<string>()
  for (const term of termSet(documents)) for (const key of forwardKeysOf(term)) keys.add(key)
  return keys
}
