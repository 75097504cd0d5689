// PostgreSQL 15's ts_rank_cd (tsrank.c `calc_rank_cd`) with Synapse's
// weights '{0.1, 0.1, 0.9, 1.0}' and normalization 8, for the query AND over
// words of the word's phrase (exact operands, or all `:*` for the prefix
// query).
//
// Algorithm: list the document's positions that some operand matches, sorted
// by position (the "doc representation"). Then find covers one after another:
// from the current start, extend right until the query holds inside the
// window (its right end q), then shrink from q leftwards until it holds again
// (its left end p). Each cover adds (entries / Σ 1/weight) / (1 + noise),
// noise being the positions inside the cover that are not entries; the next
// search starts just after the cover's first entry. The sum is divided by the
// number of unique lexemes and rounded to float4.
import type { SearchQuery } from '../../text/index.js'
import type { UserDocument } from '../../text/index.js'
import { resolveOperands } from './lexeme-ranges.js'
import { scratch } from './scratch.js'

// 1 / weight per weight code (D, C, B, A), the weights being float4 as
// PostgreSQL reads the array literal.
export const INVERSE_WEIGHTS = [1 / Math.fround(0.1), 1 / Math.fround(0.1), 1 / Math.fround(0.9), 1 / Math.fround(1.0)]
const LEXEME_BITS = 2 ** 21

// Sort key of a doc entry: position, then weight, then lexeme (compareDocR).
function collectEntries(doc: UserDocument, operandCount: number): number {
  const { matchLo, matchHi } = scratch
  let total = 0
  for (let k = 0; k < operandCount; k++) total += doc.positionStart[matchHi[k]] - doc.positionStart[matchLo[k]]
  scratch.ensureEntries(total)
  const keys = scratch.entryKey
  let n = 0
  for (let k = 0; k < operandCount; k++) {
    for (let lexeme = matchLo[k]; lexeme < matchHi[k]; lexeme++) {
      for (let i = doc.positionStart[lexeme]; i < doc.positionStart[lexeme + 1]; i++) {
        const packed = doc.positions[i]
        keys[n++] = (((packed & 0x3fff) << 2) | (packed >> 14)) * LEXEME_BITS + lexeme
      }
    }
  }
  return n
}

// Shell sort of keys[0..n), then drop repeats (one lexeme matched by two operands).
function sortUnique(n: number): number {
  const keys = scratch.entryKey
  for (let gap = n >> 1; gap > 0; gap = gap === 2 ? 1 : Math.floor(gap / 2.2)) {
    for (let i = gap; i < n; i++) {
      const key = keys[i]
      let j = i
      while (j >= gap && keys[j - gap] > key) {
        keys[j] = keys[j - gap]
        j -= gap
      }
      keys[j] = key
    }
  }
  let m = 0
  for (let i = 0; i < n; i++) if (m === 0 || keys[i] !== keys[m - 1]) keys[m++] = keys[i]
  const { entryPos, entryWeight, entryLexeme } = scratch
  for (let i = 0; i < m; i++) {
    const lexeme = keys[i] % LEXEME_BITS
    const posWeight = (keys[i] - lexeme) / LEXEME_BITS
    entryPos[i] = posWeight >> 2
    entryWeight[i] = posWeight & 3
    entryLexeme[i] = lexeme
  }
  return m
}

function operandHas(k: number, entry: number): boolean {
  const lexeme = scratch.entryLexeme[entry]
  return lexeme >= scratch.matchLo[k] && lexeme < scratch.matchHi[k]
}

// Does phrase p occur using only entries lo..hi (positions consecutive)?
function phraseIn(q: SearchQuery, p: number, lo: number, hi: number): boolean {
  const first = q.phraseStart[p]
  const length = q.phraseStart[p + 1] - first
  const entryPos = scratch.entryPos
  for (let d = lo; d <= hi; d++) {
    if (!operandHas(first, d)) continue
    let ok = true
    for (let j = 1; j < length && ok; j++) {
      const want = entryPos[d] + j
      ok = false
      for (let e = d + 1; e <= hi && entryPos[e] <= want; e++) {
        if (entryPos[e] === want && operandHas(first + j, e)) {
          ok = true
          break
        }
      }
    }
    if (ok) return true
  }
  return false
}

function holds(q: SearchQuery, lo: number, hi: number): boolean {
  for (let p = 0; p < q.phrases.length; p++) if (!phraseIn(q, p, lo, hi)) return false
  return true
}

/**
 * `ts_rank_cd('{0.1, 0.1, 0.9, 1.0}', vector, query, 8)` as PostgreSQL 15
 * computes it, where query is the exact (`prefix` false) or the prefix form
 * of `q`. Returns a float4 value (already rounded with Math.fround); 0 when
 * nothing matches. Allocation-free once the scratch buffers have grown.
 */
export function tsRankCd(doc: UserDocument, q: SearchQuery, prefix: boolean): number {
  // An operand without a lexeme leaves no cover (the query is an AND).
  if (q.phrases.length === 0 || !resolveOperands(doc, q, prefix)) return 0
  const n = sortUnique(collectEntries(doc, q.operands.length))
  const { entryPos, entryWeight } = scratch
  let wdoc = 0
  let start = 0
  while (start < n) {
    let end = -1
    for (let i = start; i < n; i++) {
      if (holds(q, start, i)) {
        end = i
        break
      }
    }
    if (end < 0) break
    let begin = end
    while (begin >= start && !holds(q, begin, end)) begin--
    if (begin < start) {
      start++
      continue
    }
    let inverseSum = 0
    for (let i = begin; i <= end; i++) inverseSum += INVERSE_WEIGHTS[entryWeight[i]]
    const cpos = (end - begin + 1) / inverseSum
    let noise = entryPos[end] - entryPos[begin] - (end - begin)
    if (noise < 0) noise = Math.floor((end - begin) / 2)
    wdoc += cpos / (1 + noise)
    start = begin + 1
  }
  if (wdoc === 0) return 0
  return Math.fround(wdoc / doc.lexemes.length)
}
