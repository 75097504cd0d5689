// The one place the search layer takes its document model and ranking from.
export { buildUserDocument, buildSearchQuery, matchesQuery, synapseScore } from './provisional-rank.js'
export type { UserDocument, SearchQuery } from './provisional-rank.js'
