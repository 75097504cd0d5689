// Synapse's ORDER BY expression (PostgreSQL flavour):
//   (4.0 * (display_name ? 1.2 : 1.0) * (avatar_url ? 1.2 : 1.0))   numeric
//   * (3 * ts_rank_cd(…, exact, 8) + ts_rank_cd(…, prefix, 8))      float8
//   * (prefer_local and local ? 2.0 : 1.0)
// The numeric product is exact (4.0, 4.80 or 5.760) and becomes float8;
// `3 * real` and `float8 + real` resolve to float8 operators, so only the
// ts_rank_cd results themselves are float4.
import { lowerBoundPgText } from '../../text/index.js'
import type { SearchQuery } from '../../text/index.js'
import type { UserDocument } from '../../text/index.js'
import { INVERSE_WEIGHTS, tsRankCd } from './ts-rank-cd.js'

/**
 * A matching user's score exactly as Synapse's PostgreSQL query computes it
 * (a float8). Call it only for users that `matchesQuery` accepts.
 */
export function synapseScore(
  doc: UserDocument,
  q: SearchQuery,
  hasDisplayName: boolean,
  hasAvatar: boolean,
  isLocalBoosted: boolean,
): number {
  const profile = hasDisplayName ? (hasAvatar ? 5.76 : 4.8) : hasAvatar ? 4.8 : 4.0
  const exact = tsRankCd(doc, q, false)
  const prefix = tsRankCd(doc, q, true)
  return profile * (3 * exact + prefix) * (isLocalBoosted ? 2.0 : 1.0)
}

/**
 * `synapseScore` for a one-operand query (one word that is one lexeme, the
 * common case) when at most one lexeme of the document starts with it:
 * each position is then its own cover and ts_rank_cd sums 1 / (1 / weight)
 * over the lexeme's positions in order, exactly as the general algorithm
 * does. Returns -1 if the document does not match, NaN when another lexeme
 * also matches (call the general functions).
 */
export function singleOperandScore(doc: UserDocument, operand: string, hasDisplayName: boolean, hasAvatar: boolean, isLocalBoosted: boolean): number {
  const lexemes = doc.lexemes
  const lo = lowerBoundPgText(lexemes, operand)
  if (lo >= lexemes.length || !lexemes[lo].startsWith(operand)) return -1
  if (lo + 1 < lexemes.length && lexemes[lo + 1].startsWith(operand)) return NaN
  let wdoc = 0
  for (let i = doc.positionStart[lo]; i < doc.positionStart[lo + 1]; i++) wdoc += 1 / INVERSE_WEIGHTS[doc.positions[i] >> 14]
  const rank = wdoc === 0 ? 0 : Math.fround(wdoc / lexemes.length)
  const exact = lexemes[lo] === operand ? rank : 0
  const profile = hasDisplayName ? (hasAvatar ? 5.76 : 4.8) : hasAvatar ? 4.8 : 4.0
  return profile * (3 * exact + rank) * (isLocalBoosted ? 2.0 : 1.0)
}
