import type { SearchQuery, UserDocument } from './ranking.js'
import { foldSearchQuery, matchesQuery, synapseScore } from './ranking.js'
import type { IndexedUser, SearchIndex } from './search-index.js'
import { TopK } from './top-k.js'

/** Decides whether a matching entry may be returned to this requester. */
export interface CandidateFilter {
  accepts(user: IndexedUser): boolean
}

/** One page of ranked matches. */
export interface RankedPage {
  /** Dense ids, best first. */
  ids: number[]
  /** Scores by dense id (valid for the ids of this page until the next search). */
  scores: Float64Array
  /** Match tiers by dense id, 0 being Synapse's (valid like `scores`). */
  tiers: Uint8Array
  /** How many accepted entries matched in all. */
  total: number
}

type Lists = readonly (readonly number[])[]

const NO_LISTS: Lists = []

/**
 * Runs a query over a {@link SearchIndex}: enumerate the entries whose
 * lexemes start with one word's lexeme, keep those the filter accepts and
 * whose document satisfies the whole query, score them with Synapse's
 * formula and keep the best `limit` in a heap. With the index's opt-in
 * tiers on, a candidate is matched tier by tier (its first matching tier
 * counts) and ranked by tier first, then score. Scratch buffers are sized
 * once and reused; the "seen" set is a generation-stamped array.
 */
export class Searcher {
  #scores = new Float64Array(0)
  #tiers = new Uint8Array(0)
  #seen = new Uint32Array(0)
  #generation = 0
  readonly #topK: TopK
  #index: SearchIndex | undefined
  // Per search: the query each tier matches, and the driver word's lists
  // for the query's lexeme and (if it differs) its folded form.
  readonly #tierQueries: SearchQuery[] = []
  #lists: Lists = NO_LISTS
  #foldedLists: Lists = NO_LISTS
  #filter: CandidateFilter | undefined
  #preferLocal = false
  #total = 0

  constructor() {
    this.#topK = new TopK((a, b) => this.#better(a, b))
  }

  search(index: SearchIndex, query: SearchQuery, limit: number, filter: CandidateFilter, preferLocal: boolean): RankedPage {
    this.#index = index
    this.#ensureCapacity(index.idLimit)
    this.#topK.reset(limit)
    const page: RankedPage = { ids: [], scores: this.#scores, tiers: this.#tiers, total: 0 }
    const isFolded = index.tiers.isFolded
    const folded = isFolded.length > 1 ? foldSearchQuery(query) : query
    this.#tierQueries.length = isFolded.length
    for (let t = 0; t < isFolded.length; t++) this.#tierQueries[t] = isFolded[t] ? folded : query
    if (!this.#chooseDriver(index, query, folded)) return page
    // Every match has a lexeme (or, in an opt-in tier, a folded lexeme or
    // suffix, all indexed) starting with the driver word's longest lexeme or
    // its folded form, so the driver's lists are a superset of the matches;
    // each candidate is then checked against the whole query.
    this.#filter = filter
    this.#preferLocal = preferLocal
    this.#total = 0
    const generation = this.#nextGeneration()
    this.#offerAll(this.#lists, generation)
    this.#offerAll(this.#foldedLists, generation)
    this.#filter = undefined
    page.ids = this.#topK.drain()
    page.total = this.#total
    return page
  }

  #offerAll(lists: Lists, generation: number): void {
    const index = this.#index as SearchIndex
    const filter = this.#filter as CandidateFilter
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l]
      for (let i = 0; i < list.length; i++) {
        const id = list[i]
        if (this.#seen[id] === generation) continue
        this.#seen[id] = generation
        const user = index.user(id)
        if (user === undefined || !filter.accepts(user)) continue
        const tier = this.#matchTier(user)
        if (tier < 0) continue
        const document = tier === 0 ? user.document : (user.tierDocuments as readonly UserDocument[])[tier]
        this.#scores[id] = synapseScore(document, this.#tierQueries[tier], user.hasDisplayName, user.hasAvatar, this.#preferLocal && user.isLocal)
        this.#tiers[id] = tier
        this.#total++
        this.#topK.offer(id)
      }
    }
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

  // The candidate lists of the most selective word: for each word, its
  // longest lexeme (and that lexeme folded, when the folded query differs);
  // of those words, the one with the fewest candidates. False if none.
  #chooseDriver(index: SearchIndex, query: SearchQuery, folded: SearchQuery): boolean {
    let bestCount = Infinity
    this.#lists = NO_LISTS
    this.#foldedLists = NO_LISTS
    for (let p = 0; p < query.phrases.length; p++) {
      const phrase = query.phrases[p]
      let longest = 0
      for (let j = 1; j < phrase.length; j++) if (phrase[j].length > phrase[longest].length) longest = j
      const lexeme = phrase[longest]
      if (lexeme === '') continue
      const lists = index.candidates(lexeme)
      const foldedLexeme = folded.phrases[p][longest]
      const foldedLists = foldedLexeme === lexeme ? NO_LISTS : index.candidates(foldedLexeme)
      const count = countIds(lists) + countIds(foldedLists)
      if (count < bestCount) {
        this.#lists = lists
        this.#foldedLists = foldedLists
        bestCount = count
      }
    }
    return bestCount !== Infinity
  }

  #ensureCapacity(size: number): void {
    if (this.#seen.length >= size) return
    const capacity = Math.max(size, this.#seen.length * 2, 1024)
    const seen = new Uint32Array(capacity)
    seen.set(this.#seen)
    this.#seen = seen
    const scores = new Float64Array(capacity)
    scores.set(this.#scores)
    this.#scores = scores
    const tiers = new Uint8Array(capacity)
    tiers.set(this.#tiers)
    this.#tiers = tiers
  }

  #nextGeneration(): number {
    if (++this.#generation === 0xffffffff) {
      this.#seen.fill(0)
      this.#generation = 1
    }
    return this.#generation
  }
}

function countIds(lists: Lists): number {
  let count = 0
  for (let l = 0; l < lists.length; l++) count += lists[l].length
  return count
}
