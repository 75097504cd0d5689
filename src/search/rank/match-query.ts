// `vector @@ both`, where both = AND over words of ('w':* | 'w'). An exact
// match is also a prefix match, so each word's disjunction reduces to its
// prefix phrase: some run of consecutive positions p, p+1, … holding
// lexemes that the phrase's operands prefix, in order (tsvector_op.c
// `TS_phrase_execute` with <-> meaning distance exactly 1).
import type { SearchQuery } from '../../text/index.js'
import type { UserDocument } from '../../text/index.js'
import { resolveOperands } from './lexeme-ranges.js'
import { scratch } from './scratch.js'

// Marks, for phrase operand j (0-based), the starts s still possible: those
// whose operand j - 1 stamp is current and that have a lexeme of operand j at
// s + j. Returns how many starts survived.
function advanceStarts(doc: UserDocument, k: number, j: number, generation: number): number {
  const { stamp, matchLo, matchHi } = scratch
  let survivors = 0
  for (let lexeme = matchLo[k]; lexeme < matchHi[k]; lexeme++) {
    for (let i = doc.positionStart[lexeme]; i < doc.positionStart[lexeme + 1]; i++) {
      const start = (doc.positions[i] & 0x3fff) - j
      if (j === 0) {
        if (stamp[start] !== generation) survivors++
        stamp[start] = generation
      } else if (start >= 1 && stamp[start] === generation - 1) {
        stamp[start] = generation
        survivors++
      }
    }
  }
  return survivors
}

/**
 * Whether the document matches the query as `vector @@ to_tsquery('simple',
 * both)` does in PostgreSQL: every phrase occurs, as prefixes, at consecutive
 * positions. An empty query matches nothing. Allocation-free.
 */
export function matchesQuery(doc: UserDocument, q: SearchQuery): boolean {
  const phraseCount = q.phrases.length
  if (phraseCount === 0 || !resolveOperands(doc, q, true)) return false
  for (let p = 0; p < phraseCount; p++) {
    const first = q.phraseStart[p]
    const length = q.phraseStart[p + 1] - first
    if (length === 1) continue
    const generation = scratch.nextGenerations(length)
    for (let j = 0; j < length; j++) {
      if (advanceStarts(doc, first + j, j, generation + j) === 0) return false
    }
  }
  return true
}
