// Provisional ranking until the PostgreSQL-exact tokenizer and ts_rank_cd
// land (issue 3): same interface, approximate shape of the formula.
import { normalizeText } from '../text/index.js'

export interface UserDocument {
  readonly lexemes: readonly string[]
  readonly weights: readonly number[]
}
export interface SearchQuery {
  readonly phrases: readonly (readonly string[])[]
}

const SPLIT = /[^\p{L}\p{N}]+/u

function tokens(text: string): string[] {
  const parts = text.split(/\s+/).filter((t) => t !== '')
  const out: string[] = []
  for (const part of parts) {
    out.push(part)
    for (const piece of part.split(SPLIT)) if (piece !== '' && piece !== part) out.push(piece)
  }
  return out
}

export function buildUserDocument(localpart: string, serverName: string, displayName: string | null): UserDocument {
  const byLexeme = new Map<string, number>()
  const add = (list: string[], weight: number): void => {
    for (const t of list) byLexeme.set(t, Math.max(byLexeme.get(t) ?? 0, weight))
  }
  add(tokens(localpart.toLowerCase()), 1.0)
  add(tokens(serverName.toLowerCase()), 0.1)
  add(tokens(normalizeText(displayName ?? '')), 0.9)
  return { lexemes: [...byLexeme.keys()], weights: [...byLexeme.values()] }
}

export function buildSearchQuery(words: readonly string[]): SearchQuery {
  return { phrases: words.map((w) => [w]) }
}

function rank(doc: UserDocument, q: SearchQuery, prefix: boolean): number {
  let total = 0
  for (const [word] of q.phrases) {
    let best = 0
    for (let i = 0; i < doc.lexemes.length; i++) {
      const lexeme = doc.lexemes[i]
      if (prefix ? lexeme.startsWith(word) : lexeme === word) best = Math.max(best, doc.weights[i])
    }
    if (best === 0) return 0
    total += best
  }
  return Math.fround(total / q.phrases.length / doc.lexemes.length)
}

export function matchesQuery(doc: UserDocument, q: SearchQuery): boolean {
  return q.phrases.length > 0 && rank(doc, q, true) > 0
}

export function synapseScore(doc: UserDocument, q: SearchQuery, hasDisplayName: boolean, hasAvatar: boolean, isLocalBoosted: boolean): number {
  const k = hasDisplayName ? (hasAvatar ? 5.76 : 4.8) : hasAvatar ? 4.8 : 4.0
  return k * (3 * rank(doc, q, false) + rank(doc, q, true)) * (isLocalBoosted ? 2.0 : 1.0)
}
