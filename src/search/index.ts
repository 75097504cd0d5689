/**
 * @module Search: the index of directory entries (dense ids, documents,
 * FlexSearch prefix postings behind `prefix-postings.ts`, prefix
 * signatures, change log), the searcher with its cache of rankings, the
 * background warmer of frequent prefixes, and the PostgreSQL-compatible
 * ranking. Imports text, ids and the clock; nothing above it.
 */
export type { IndexedUser } from './search-index.js'
export { EntryFlag, SearchIndex } from './search-index.js'
export type { MatchOptions, MatchTiers } from './match-tiers.js'
export type { CandidateFilter, RankedPage } from './searcher.js'
export { Searcher } from './searcher.js'
export { SearchWarmer } from './search-warmer.js'
export type { SearchWarmReport } from './search-warmer.js'
// The searcher takes a parsed query: its parser, from text, for the callers.
export { buildSearchQuery } from '../text/index.js'
export type { SearchQuery } from '../text/index.js'
