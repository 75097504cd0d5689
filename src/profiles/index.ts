/**
 * @module Profiles: the directory entries (public profiles) and the stale
 * marks of remote users awaiting a profile fetch, and the refresh loop.
 * Imports ids, errors, the clock, and rooms (for the profile-text rule).
 */
export type { Profile, StaleMark, EntriesJournal } from './directory-entries.js'
export { DirectoryEntries } from './directory-entries.js'
export type { RefreshHost, FetchProfile } from './profile-refresher.js'
export { ProfileRefresher, STALE_REFRESH_DELAY_MS, STORE_FAILURE_RETRY_MS } from './profile-refresher.js'
