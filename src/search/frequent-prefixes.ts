import { MAX_INDEXED_PREFIX } from './prefix-postings.js'
import type { SearchIndex } from './search-index.js'

/**
 * Finds the one-lexeme queries worth ranking before anyone types them: the
 * lexeme prefixes that about `minMatches` or more entries match (`b`,
 * `ma`, `maria`, the server name and its prefixes). Those are the first
 * keystrokes of most searches and the only queries whose first search
 * scores many candidates; every other query lists fewer than `minMatches`.
 *
 * Resumable, so a scheduler can interleave it with searches: `step` counts
 * each entry's distinct lexemes (a bounded slice of entries per call), then
 * adds each lexeme's count to its prefixes (a bounded slice of lexemes per
 * call); `prefixes` is the answer. A prefix is counted once per lexeme it
 * starts, so an entry with two lexemes sharing a prefix counts twice there:
 * an estimate, only used to choose what to rank ahead. Prefixes longer than
 * the index's 6-character key are counted only for lexemes held by two or
 * more entries (long unique localparts would add millions of keys).
 */
export class FrequentPrefixes {
  readonly #index: SearchIndex
  readonly #minMatches: number
  readonly #lexemeCounts = new Map<string, number>()
  readonly #prefixCounts = new Map<string, number>()
  #nextId = 0
  #lexemeCursor: Iterator<[string, number]> | undefined
  #done = false

  constructor(index: SearchIndex, minMatches: number) {
    this.#index = index
    this.#minMatches = minMatches
  }

  /** Does up to `budget` units of work (an entry or a lexeme each); true once the count is complete. */
  step(budget: number): boolean {
    if (this.#done) return true
    let left = budget
    const index = this.#index
    while (this.#nextId < index.idLimit && left > 0) {
      const user = index.user(this.#nextId++)
      left--
      if (user === undefined) continue
      for (const lexeme of user.document.lexemes) this.#lexemeCounts.set(lexeme, (this.#lexemeCounts.get(lexeme) ?? 0) + 1)
    }
    if (this.#nextId < index.idLimit) return false
    this.#lexemeCursor ??= this.#lexemeCounts.entries()
    for (; left > 0; left--) {
      const next = this.#lexemeCursor.next()
      if (next.done === true) {
        this.#done = true
        return true
      }
      const [lexeme, count] = next.value
      const longest = count >= 2 ? lexeme.length : Math.min(lexeme.length, MAX_INDEXED_PREFIX)
      for (let k = 1; k <= longest; k++) {
        const prefix = lexeme.slice(0, k)
        this.#prefixCounts.set(prefix, (this.#prefixCounts.get(prefix) ?? 0) + count)
      }
    }
    return false
  }

  /** The prefixes counted at `minMatches` or more, most frequent first (complete once `step` returned true). */
  prefixes(): string[] {
    const frequent: [string, number][] = []
    for (const entry of this.#prefixCounts) if (entry[1] >= this.#minMatches) frequent.push(entry)
    frequent.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    return frequent.map(([prefix]) => prefix)
  }
}
