// Which lexemes of a document each query operand matches: an exact operand
// the equal lexeme, a prefix operand (`:*`) the run of lexemes it prefixes,
// which is contiguous in the document's sorted order (tsrank.c
// `find_wordentry`). Results go to the shared scratch, not new arrays.
import { lowerBoundPgText } from '../../text/index.js'
import type { SearchQuery } from '../../text/index.js'
import type { UserDocument } from '../../text/index.js'
import { scratch } from './scratch.js'

/**
 * Fills `scratch.matchLo/matchHi` with each operand's lexeme range in `doc`
 * (empty when `lo === hi`) and returns whether every operand matched one.
 */
export function resolveOperands(doc: UserDocument, q: SearchQuery, prefix: boolean): boolean {
  const n = q.operands.length
  scratch.ensureOperands(n)
  const { matchLo, matchHi } = scratch
  const lexemes = doc.lexemes
  let allFound = true
  for (let k = 0; k < n; k++) {
    const operand = q.operands[k]
    const lo = lowerBoundPgText(lexemes, operand)
    let hi = lo
    if (prefix) {
      while (hi < lexemes.length && lexemes[hi].startsWith(operand)) hi++
    } else if (lo < lexemes.length && lexemes[lo] === operand) {
      hi = lo + 1
    }
    matchLo[k] = lo
    matchHi[k] = hi
    if (hi === lo) allFound = false
  }
  return allFound
}
