// Synapse's ORDER BY expression (PostgreSQL flavour):
//   (4.0 * (display_name ? 1.2 : 1.0) * (avatar_url ? 1.2 : 1.0))   numeric
//   * (3 * ts_rank_cd(…, exact, 8) + ts_rank_cd(…, prefix, 8))      float8
//   * (prefer_local and local ? 2.0 : 1.0)
// The numeric product is exact (4.0, 4.80 or 5.760) and becomes float8;
// `3 * real` and `float8 + real` resolve to float8 operators, so only the
// ts_rank_cd results themselves are float4.
import type { SearchQuery } from '../../text/index.js'
import type { UserDocument } from '../../text/index.js'
import { tsRankCd } from './ts-rank-cd.js'

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
