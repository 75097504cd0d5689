import { foldSearchQuery } from '../text/index.js'
import type { SearchQuery, UserDocument } from '../text/index.js'
import { matchesQuery, singleOperandScore, synapseScore } from './rank/index.js'
import type { IndexedUser, SearchIndex } from './search-index.js'
import { SIGNATURE_WORDS, addSignatureRequirement, lacksSignature } from './prefix-signature.js'
import { RankedListCache } from './ranked-lists.js'
import type { RankedList } from './ranked-lists.js'
import { TopK } from './top-k.js'
import { grown } from './grow.js'

/** Decides whether a matching entry may be returned to this requester. */
export interface CandidateFilter {
  /** `id` is the entry's dense id in the index searched (for `SearchIndex.flags`). */
  accepts(id: number, user: IndexedUser): boolean
}

/** Bounds of a searcher's cache of rankings (see `RankedListCache`). */
export interface RankingCacheOptions {
  /** In list entries; default `DEFAULT_RANKED_LIST_CAPACITY` (4M). */
  capacity?: number
  /** In bytes, keys included; default `DEFAULT_RANKED_LIST_BYTES` (52 MB). */
  maxBytes?: number
}

/** The figures and lists of a searcher's ranking cache (read-only; for tests and benchmarks). */
export type RankingCacheView = Pick<RankedListCache, 'size' | 'bytes' | 'pinnedSize' | 'pinnedCount' | 'get'>

/** One page of ranked matches. */
export interface RankedPage {
  /** Dense ids, best first. */
  ids: number[]
  /** Scores by dense id (valid for the ids of this page until the next search). */
  scores: Float64Array
  /** Match tiers by dense id, 0 being Synapse's (valid like `scores`). */
  tiers: Uint8Array
  /** How many accepted entries matched, counted up to `limit + 1` (enough for `limited`). */
  total: number
}

type Lists = readonly (readonly number[])[]

const NO_LISTS: Lists = []
const NO_CHANGES: readonly number[] = []

// A new list sorts this many best matches; the rest waits for a walk that
// needs it. The cache keeps only this head of a longer list.
const SORTED_HEAD = 1024
// A build intersects with a second word's candidates when the driver lists
// at least this many and the second at most this many times as many.
const MIN_INTERSECT = 256
const INTERSECT_RATIO = 16
// Lists are patched with at most this many changed entries (plus an eighth of their length), else rebuilt.
const MAX_PATCH = 256

/**
 * Runs a query over a {@link SearchIndex}: the query's ranked list of
 * matches (cached by the searcher, see `RankedList`) is walked best first,
 * keeping the entries the requester's filter accepts, until `limit + 1` are
 * found. Building a list enumerates the entries whose lexemes start with one
 * word's lexeme, keeps those whose document satisfies the whole query and
 * scores them with Synapse's formula. With the index's opt-in tiers on, a
 * candidate is matched tier by tier (its first matching tier counts) and
 * ranked by tier first, then score. Scratch buffers are sized once and
 * reused; the "seen" set is a generation-stamped array.
 *
 * The cache holds the rankings of the index last searched: searching
 * another index (a rebuild's) starts an empty cache, pins included.
 */
export class Searcher {
  #scores = new Float64Array(0)
  #tiers = new Uint8Array(0)
  #seen = new Uint32Array(0)
  // Stamps of the second word's candidates while a build intersects (see `#build`).
  #marks = new Uint32Array(0)
  #generation = 0
  readonly #topK: TopK
  // The index last searched, whose rankings `#rankings` caches.
  #index: SearchIndex | undefined
  readonly #cacheOptions: RankingCacheOptions
  #rankings: RankedListCache
  // Per search: the query each tier matches, and the driver word's lists
  // for the query's lexeme and (if it differs) its folded form.
  readonly #tierQueries: SearchQuery[] = []
  #lists: Lists = NO_LISTS
  #foldedLists: Lists = NO_LISTS
  // The next most selective lexeme's lists (another indexed key), and their size.
  #filterLists: Lists = NO_LISTS
  #filterFoldedLists: Lists = NO_LISTS
  #filterCount = Infinity
  #driverCount = 0
  // What the query's long lexemes require of an entry's prefix signature (see `addSignatureRequirement`).
  readonly #need = new Uint32Array(SIGNATURE_WORDS)
  #preferLocal = false
  // Each query object's phrases as a cache key (callers reuse query objects).
  readonly #phrasesKeys = new WeakMap<SearchQuery, string>()
  #matched: number[] = []
  readonly #byRank = (a: number, b: number): number => (a === b ? 0 : this.#better(a, b) ? -1 : 1)

  constructor(cacheOptions: RankingCacheOptions = {}) {
    this.#topK = new TopK((a, b) => this.#better(a, b))
    this.#cacheOptions = cacheOptions
    this.#rankings = this.#newCache()
  }

  search(index: SearchIndex, query: SearchQuery, limit: number, filter: CandidateFilter, preferLocal: boolean): RankedPage {
    const folded = this.#begin(index, query, preferLocal)
    const page: RankedPage = { ids: [], scores: this.#scores, tiers: this.#tiers, total: 0 }
    if (query.phrases.length === 0) return page
    const key = this.#queryKey(query, preferLocal)
    const cached = this.#rankings.get(key)
    const changes = cached === undefined ? undefined : this.#changesToPatch(index, cached)
    let list: RankedList
    let patch: readonly number[] = NO_CHANGES
    if (cached === undefined || changes === undefined) {
      const built = this.#build(index, query, folded)
      if (built === undefined) return page
      this.#rankings.set(key, cacheable(built))
      list = built
    } else {
      list = cached
      if (changes.length > 0) patch = this.#rankChanges(index, changes)
    }
    if (!this.#walk(index, list, patch, limit, filter, page)) {
      // The cached head ran out before limit + 1 visible users: rank everything for this search.
      const full = this.#build(index, query, folded) as RankedList
      page.ids.length = 0
      this.#walk(index, full, [], limit, filter, page)
    }
    return page
  }

  /**
   * Pins the one-lexeme query `lexeme` in the ranking cache (see
   * `RankedListCache.pin`) and ranks it unless its cached list is current
   * enough to patch: the work of its first search, done ahead of it. True
   * if it ranked.
   */
  pin(index: SearchIndex, lexeme: string, preferLocal: boolean): boolean {
    const query = lexemeQuery(lexeme)
    const key = this.#queryKey(query, preferLocal)
    const folded = this.#begin(index, query, preferLocal)
    this.#rankings.pin(key)
    const cached = this.#rankings.get(key)
    if (cached !== undefined && this.#changesToPatch(index, cached) !== undefined) return false
    const list = this.#build(index, query, folded)
    if (list !== undefined) this.#rankings.set(key, cacheable(list))
    return true
  }

  /** Unpins every one-lexeme query but those of `lexemes` (dropping their lists). */
  keepPinnedOnly(lexemes: readonly string[], preferLocal: boolean): void {
    this.#rankings.unpinExcept(new Set(lexemes.map((lexeme) => this.#queryKey(lexemeQuery(lexeme), preferLocal))))
  }

  /** Unpins every query (dropping their lists). */
  unpinAll(): void {
    this.#rankings.unpinAll()
  }

  /** Drops the cached rankings of the queries searched so far; pinned ones stay. */
  clearRankings(): void {
    this.#rankings.clear()
  }

  /** Entries held by pinned rankings, plus 16 per list (see `RankedListCache.pinnedSize`). */
  get pinnedEntries(): number {
    return this.#rankings.pinnedSize
  }

  /** @internal The ranking cache, read-only: for tests and benchmarks. */
  get rankings(): RankingCacheView {
    return this.#rankings
  }

  // The cache key of a query: its phrases and whether local users are boosted.
  #queryKey(query: SearchQuery, preferLocal: boolean): string {
    let phrases = this.#phrasesKeys.get(query)
    if (phrases === undefined) this.#phrasesKeys.set(query, (phrases = JSON.stringify(query.phrases)))
    return (preferLocal ? 'L' : 'A') + phrases
  }

  #newCache(): RankedListCache {
    return new RankedListCache(this.#cacheOptions.capacity, this.#cacheOptions.maxBytes)
  }

  // Per-search set-up: the index (and with a new one, a new cache), scratch
  // capacity and the tier queries; returns the folded query.
  #begin(index: SearchIndex, query: SearchQuery, preferLocal: boolean): SearchQuery {
    if (index !== this.#index) {
      if (this.#index !== undefined) this.#rankings = this.#newCache()
      this.#index = index
    }
    this.#ensureCapacity(index.idLimit)
    this.#preferLocal = preferLocal
    const isFolded = index.tiers.isFolded
    const folded = isFolded.length > 1 ? foldSearchQuery(query) : query
    this.#tierQueries.length = isFolded.length
    for (let t = 0; t < isFolded.length; t++) this.#tierQueries[t] = isFolded[t] ? folded : query
    return folded
  }

  // The entries changed since `list` was built (none if current), or undefined when too many to patch (rebuild instead).
  #changesToPatch(index: SearchIndex, list: RankedList): readonly number[] | undefined {
    if (list.version === index.version) return NO_CHANGES
    return index.version - list.version <= MAX_PATCH + (list.ids.length >> 3) ? index.changesSince(list.version) : undefined
  }

  // Best first through the list (skipping entries changed since it was
  // built) merged with the changed entries' fresh ranking, until limit + 1
  // accepted: `limited` needs no more. False if an incomplete list ran out first.
  #walk(index: SearchIndex, list: RankedList, patch: readonly number[], limit: number, filter: CandidateFilter, page: RankedPage): boolean {
    const want = limit + 1
    const { ids, scores, tiers } = list
    let i = 0
    let j = 0
    let accepted = 0
    while (accepted < want) {
      i = this.#skipChanged(index, list, i)
      if (i === ids.length && !list.complete) return false
      let id: number
      if (i < ids.length) {
        id = ids[i]
        this.#scores[id] = scores[i]
        this.#tiers[id] = tiers[i]
        if (j < patch.length && this.#better(patch[j], id)) id = patch[j++]
        else i++
      } else if (j < patch.length) {
        id = patch[j++]
      } else {
        break
      }
      const user = index.user(id)
      if (user === undefined || !filter.accepts(id, user)) continue
      if (accepted < limit) page.ids.push(id)
      accepted++
    }
    page.total = accepted
    return true
  }

  // The first position from `i` whose entry is unchanged since the list was
  // built (or the end), sorting the tail when the walk reaches it.
  #skipChanged(index: SearchIndex, list: RankedList, i: number): number {
    for (; i < list.ids.length; i++) {
      if (i === list.sorted) this.#sortRest(list)
      if (index.changedAt(list.ids[i]) <= list.version) break
    }
    return i
  }

  // Sorts the unordered tail of a list, now that a walk needs it.
  #sortRest(list: RankedList): void {
    const { ids, scores, tiers } = list
    for (let i = list.sorted; i < ids.length; i++) {
      this.#scores[ids[i]] = scores[i]
      this.#tiers[ids[i]] = tiers[i]
    }
    ids.subarray(list.sorted).sort(this.#byRank)
    for (let i = list.sorted; i < ids.length; i++) {
      scores[i] = this.#scores[ids[i]]
      tiers[i] = this.#tiers[ids[i]]
    }
    list.sorted = ids.length
  }

  // The changed entries that still match, scored and in rank order.
  #rankChanges(index: SearchIndex, changes: readonly number[]): number[] {
    const generation = this.#nextGeneration()
    const ranked: number[] = []
    for (const id of changes) {
      if (this.#seen[id] === generation) continue
      this.#seen[id] = generation
      const user = index.user(id)
      if (user !== undefined && this.#rank(id, user)) ranked.push(id)
    }
    return ranked.sort(this.#byRank)
  }

  // Every match of the query, ranked (head sorted); undefined if no word has a lexeme.
  #build(index: SearchIndex, query: SearchQuery, folded: SearchQuery): RankedList | undefined {
    if (!this.#chooseDriver(index, query, folded)) return undefined
    // Every match has a lexeme (or, in an opt-in tier, a folded lexeme or
    // suffix, all indexed) starting with the driver lexeme or its folded
    // form, so the driver's lists are a superset of the matches;
    // each candidate is then checked against the whole query.
    // With a second lexeme of comparable selectivity, its candidates are
    // stamped first and only driver candidates it also lists are checked:
    // stamping costs a few ns per id, checking a document tens (a two-word
    // query at 1M lists thousands per word and matches a few).
    const version = index.version
    this.#matched.length = 0
    let mark = 0
    if (this.#driverCount >= MIN_INTERSECT && this.#filterCount <= INTERSECT_RATIO * this.#driverCount) {
      mark = this.#nextGeneration()
      this.#stampAll(this.#filterLists, mark)
      this.#stampAll(this.#filterFoldedLists, mark)
    }
    const generation = this.#nextGeneration()
    this.#offerAll(index, this.#lists, generation, mark)
    this.#offerAll(index, this.#foldedLists, generation, mark)
    const matched = this.#matched
    const n = matched.length
    const ids = new Uint32Array(n)
    let sorted = n
    if (n <= SORTED_HEAD) {
      ids.set(matched)
      ids.sort(this.#byRank)
    } else {
      sorted = SORTED_HEAD
      this.#topK.reset(SORTED_HEAD)
      for (let i = 0; i < n; i++) this.#topK.offer(matched[i])
      const head = this.#topK.drain()
      ids.set(head)
      const inHead = this.#nextGeneration()
      for (const id of head) this.#seen[id] = inHead
      let k = SORTED_HEAD
      for (let i = 0; i < n; i++) if (this.#seen[matched[i]] !== inHead) ids[k++] = matched[i]
    }
    const scores = new Float64Array(n)
    const tiers = new Uint8Array(n)
    for (let i = 0; i < n; i++) {
      scores[i] = this.#scores[ids[i]]
      tiers[i] = this.#tiers[ids[i]]
    }
    return { ids, scores, tiers, sorted, version, complete: true }
  }

  #stampAll(lists: Lists, mark: number): void {
    const marks = this.#marks
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l]
      for (let i = 0; i < list.length; i++) marks[list[i]] = mark
    }
  }

  // Scores every candidate not seen yet (and stamped `mark`, unless 0) into
  // `#matched`, skipping those whose prefix signature lacks what the query's
  // long lexemes need (an array read instead of a document check).
  #offerAll(index: SearchIndex, lists: Lists, generation: number, mark: number): void {
    const marks = this.#marks
    const signatures = index.signatures
    const need = this.#need
    let needWords = SIGNATURE_WORDS
    while (needWords > 0 && need[needWords - 1] === 0) needWords--
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l]
      for (let i = 0; i < list.length; i++) {
        const id = list[i]
        if (needWords > 0 && lacksSignature(signatures, SIGNATURE_WORDS * id, need, needWords)) continue
        if (this.#seen[id] === generation || (mark !== 0 && marks[id] !== mark)) continue
        this.#seen[id] = generation
        const user = index.user(id)
        if (user !== undefined && this.#rank(id, user)) this.#matched.push(id)
      }
    }
  }

  // Scores `user` into the scratch arrays if it matches; false if not.
  #rank(id: number, user: IndexedUser): boolean {
    const queries = this.#tierQueries
    if (queries.length === 1 && queries[0].operands.length === 1) {
      const score = singleOperandScore(user.document, queries[0].operands[0], user.hasDisplayName, user.hasAvatar, this.#preferLocal && user.isLocal)
      if (score === -1) return false
      if (!Number.isNaN(score)) {
        this.#scores[id] = score
        this.#tiers[id] = 0
        return true
      }
    }
    const tier = this.#matchTier(user)
    if (tier < 0) return false
    const document = tier === 0 ? user.document : (user.tierDocuments as readonly UserDocument[])[tier]
    this.#scores[id] = synapseScore(document, this.#tierQueries[tier], user.hasDisplayName, user.hasAvatar, this.#preferLocal && user.isLocal)
    this.#tiers[id] = tier
    return true
  }

  // The first tier whose document satisfies that tier's query, or -1.
  #matchTier(user: IndexedUser): number {
    const queries = this.#tierQueries
    if (matchesQuery(user.document, queries[0])) return 0
    const documents = user.tierDocuments
    if (documents === undefined) return -1
    for (let t = 1; t < documents.length; t++) if (matchesQuery(documents[t], queries[t])) return t
    return -1
  }

  // Order: tier asc, score desc, display name first, avatar first, user id asc (SPEC §3).
  #better(a: number, b: number): boolean {
    const ta = this.#tiers[a]
    const tb = this.#tiers[b]
    if (ta !== tb) return ta < tb
    const sa = this.#scores[a]
    const sb = this.#scores[b]
    if (sa !== sb) return sa > sb
    const ua = this.#index?.user(a)
    const ub = this.#index?.user(b)
    if (ua === undefined || ub === undefined) return a < b
    if (ua.hasDisplayName !== ub.hasDisplayName) return ua.hasDisplayName
    if (ua.hasAvatar !== ub.hasAvatar) return ua.hasAvatar
    return ua.userId < ub.userId
  }

  // The candidate lists of the most selective lexeme: every lexeme of every
  // word must be matched by a document lexeme it prefixes, so each one's
  // lists (with its folded form's, when the folded query differs) are a
  // superset of the matches; take the one with the fewest ids. (A user id
  // parses to its localpart and its server name: the server name alone
  // lists most of the directory.) False if no word has a lexeme.
  // The next most selective lexeme whose lists differ (another indexed
  // key) becomes the intersection filter. Every lexeme longer than the
  // indexed keys adds its signature requirement to `#need`, unless folding
  // changes it (a folded tier's documents match its folded form instead).
  #chooseDriver(index: SearchIndex, query: SearchQuery, folded: SearchQuery): boolean {
    let bestCount = Infinity
    this.#need.fill(0)
    this.#lists = NO_LISTS
    this.#foldedLists = NO_LISTS
    this.#filterLists = NO_LISTS
    this.#filterFoldedLists = NO_LISTS
    this.#filterCount = Infinity
    for (let p = 0; p < query.phrases.length; p++) {
      const phrase = query.phrases[p]
      for (let j = 0; j < phrase.length; j++) {
        const lexeme = phrase[j]
        if (lexeme === '') continue
        const lists = index.candidates(lexeme)
        const foldedLexeme = folded.phrases[p][j]
        if (foldedLexeme === lexeme) addSignatureRequirement(lexeme, this.#need)
        const foldedLists = foldedLexeme === lexeme ? NO_LISTS : index.candidates(foldedLexeme)
        if (lists === this.#lists || sameLists(lists, this.#lists) || sameLists(lists, this.#filterLists)) continue
        const count = countIds(lists) + countIds(foldedLists)
        if (count < bestCount) {
          this.#filterLists = this.#lists
          this.#filterFoldedLists = this.#foldedLists
          this.#filterCount = bestCount
          this.#lists = lists
          this.#foldedLists = foldedLists
          bestCount = count
        } else if (count < this.#filterCount) {
          this.#filterLists = lists
          this.#filterFoldedLists = foldedLists
          this.#filterCount = count
        }
      }
    }
    this.#driverCount = bestCount
    return bestCount !== Infinity
  }

  #ensureCapacity(size: number): void {
    if (this.#seen.length >= size) return
    const capacity = Math.max(size, this.#seen.length * 2, 1024)
    this.#seen = grown(this.#seen, capacity)
    this.#marks = grown(this.#marks, capacity)
    this.#scores = grown(this.#scores, capacity)
    this.#tiers = grown(this.#tiers, capacity)
  }

  #nextGeneration(): number {
    if (++this.#generation === 0xffffffff) {
      this.#seen.fill(0)
      this.#marks.fill(0)
      this.#generation = 1
    }
    return this.#generation
  }
}

// What the cache keeps of a list: all of it when sorted, else its sorted head.
function cacheable(list: RankedList): RankedList {
  if (list.sorted === list.ids.length) return list
  return { ids: list.ids.slice(0, list.sorted), scores: list.scores.slice(0, list.sorted), tiers: list.tiers.slice(0, list.sorted), sorted: list.sorted, version: list.version, complete: false }
}

// The query of one word that is one lexeme (what `buildSearchQuery` makes of it).
function lexemeQuery(lexeme: string): SearchQuery {
  return { phrases: [[lexeme]], operands: [lexeme], phraseStart: Int32Array.of(0, 1) }
}


// Two lookups of one indexed key return the same id arrays.
function sameLists(a: Lists, b: Lists): boolean {
  return a.length > 0 && a.length === b.length && a.every((list, i) => list === b[i])
}

function countIds(lists: Lists): number {
  let count = 0
  for (let l = 0; l < lists.length; l++) count += lists[l].length
  return count
}
