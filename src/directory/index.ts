/**
 * @module Directory: `UserDirectory`, the composition root that runs deltas
 * through rooms → visibility → profiles → search: a façade over the unit of
 * work (unit-of-work.ts), the fact changes (fact-writer.ts) and the search
 * side (directory-search.ts). Imports the domain folders.
 */
export { UserDirectory } from './user-directory.js'
export type { SearchResults, SearchResultItem, IngestReport, IngestOptions, DirectoryStats, DirectoryTables, LocalUserInfo } from './types.js'
export type { UserDirectoryOptions, Clock, SpamChecker, ProfileFetcher, FetchedProfile, DirectoryProfile } from './options.js'
export { defaultOptions } from './options.js'
export type { SearchWarmReport } from '../search/index.js'
