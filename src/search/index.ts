/**
 * @module Search: the FlexSearch-backed index of directory entries, the
 * PostgreSQL-compatible ranking and top-k selection. Imports text and ids;
 * nothing above it.
 */
export type { IndexedUser } from './search-index.js'
export { EntryFlag, SearchIndex } from './search-index.js'
export type { MatchOptions, MatchTiers } from './match-tiers.js'
export type { CandidateFilter, RankedPage } from './searcher.js'
export { Searcher } from './searcher.js'
export { FrequentLexemes } from './frequent-lexemes.js'
export { buildSearchQuery } from './ranking.js'
export type { SearchQuery } from './ranking.js'
