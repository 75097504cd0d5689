// The one place the search layer takes its document model and ranking from:
// PostgreSQL's to_tsvector / to_tsquery (text) and @@ / ts_rank_cd (rank),
// plus the derived documents of the opt-in match tiers (text).
export { buildUserDocument, buildSearchQuery, foldDocument, foldSearchQuery, infixDocument } from '../text/index.js'
export type { UserDocument, SearchQuery } from '../text/index.js'
export { matchesQuery, singleOperandScore, synapseScore } from './rank/index.js'
