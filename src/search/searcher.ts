import type { SearchQuery } from './ranking.js'
import { matchesQuery, synapseScore } from './ranking.js'
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
  /** How many accepted entries matched in all. */
  total: number
}

/**
 * Runs a query over a {@link SearchIndex}: enumerate the entries whose
 * lexemes start with one word's lexeme, keep those the filter accepts and
 * whose document satisfies the whole query, score them with Synapse's
 * formula and keep the best `limit` in a heap. Scratch buffers are sized
 * once and reused; the "seen" set is a generation-stamped array.
 */
export class Searcher {
  #scores = new Float64Array(0)
  #seen = new Uint32Array(0)
  #generation = 0
  readonly #topK: TopK
  #index: SearchIndex | undefined

  constructor() {
    this.#topK = new TopK((a, b) => this.#better(a, b))
  }

  search(index: SearchIndex, query: SearchQuery, limit: number, filter: CandidateFilter, preferLocal: boolean): RankedPage {
    this.#index = index
    this.#ensureCapacity(index.idLimit)
    this.#topK.reset(limit)
    const page: RankedPage = { ids: [], scores: this.#scores, total: 0 }
    const lists = driverLists(index, query)
    if (lists === undefined) return page
    // Every match has a lexeme starting with the driver word's longest
    // lexeme, so the driver's lists are a superset of the matches; each
    // candidate is then checked against the whole query.
    const generation = this.#nextGeneration()
    let total = 0
    for (let l = 0; l < lists.length; l++) {
      const list = lists[l]
      for (let i = 0; i < list.length; i++) {
        const id = list[i]
        if (this.#seen[id] === generation) continue
        this.#seen[id] = generation
        const user = index.user(id)
        if (user === undefined || !filter.accepts(user) || !matchesQuery(user.document, query)) continue
        this.#scores[id] = synapseScore(user.document, query, user.hasDisplayName, user.hasAvatar, preferLocal && user.isLocal)
        total++
        this.#topK.offer(id)
      }
    }
    page.ids = this.#topK.drain()
    page.total = total
    return page
  }

  // Order: score desc, display name first, avatar first, user id asc (SPEC §3).
  #better(a: number, b: number): boolean {
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

  #ensureCapacity(size: number): void {
    if (this.#seen.length >= size) return
    const capacity = Math.max(size, this.#seen.length * 2, 1024)
    const seen = new Uint32Array(capacity)
    seen.set(this.#seen)
    this.#seen = seen
    const scores = new Float64Array(capacity)
    scores.set(this.#scores)
    this.#scores = scores
  }

  #nextGeneration(): number {
    if (++this.#generation === 0xffffffff) {
      this.#seen.fill(0)
      this.#generation = 1
    }
    return this.#generation
  }
}

// The candidate lists of the most selective word: for each word, its longest
// lexeme; of those, the one with the fewest candidates.
function driverLists(index: SearchIndex, query: SearchQuery): readonly (readonly number[])[] | undefined {
  let best: readonly (readonly number[])[] | undefined
  let bestCount = Infinity
  for (const phrase of query.phrases) {
    let longest = ''
    for (const lexeme of phrase) if (lexeme.length > longest.length) longest = lexeme
    if (longest === '') continue
    const lists = index.candidates(longest)
    let count = 0
    for (const list of lists) count += list.length
    if (count < bestCount) {
      best = lists
      bestCount = count
    }
  }
  return best
}
