import type { DirectoryProfile } from './options.js'

/** A search result; `score` only with `explain: true`. */
export interface SearchResultItem extends DirectoryProfile {
  score?: number
}

/** The answer to a search (SPEC §3). */
export interface SearchResults {
  limited: boolean
  results: SearchResultItem[]
}

/** Options of `ingest`. */
export interface IngestOptions {
  /** The stream position after this batch; `streamPosition()` reports it. */
  position?: number
  /** An id for the batch (e.g. an appservice transaction id): a batch whose id was already applied is not applied again. */
  transactionId?: string
}

/** Counts for monitoring. */
export interface DirectoryStats {
  entries: number
  localUsers: number
  rooms: number
  roomsWithLocalUsers: number
  joinedMemberships: number
  usersInPublicRooms: number
  staleRemoteUsers: number
  indexedEntries: number
  streamPosition: number | null
}

/** What `ingest` did with a batch. */
export interface IngestReport {
  /** True when the batch's `transactionId` had already been applied: nothing was done. */
  duplicate?: boolean
  /** Deltas applied (including ignored types and no-ops). */
  applied: number
  /** Malformed deltas, skipped with a warning: their index in the batch and why. */
  skipped: { index: number; errcode: string; message: string }[]
}

/** The Synapse tables, for tests and debugging. */
export interface DirectoryTables {
  users: Map<string, { display_name: string | null; avatar_url: string | null }>
  inPublicRooms: [string, string][]
  sharePrivateRooms: [string, string, string][]
  staleRemoteUsers: { userId: string; nextTryAtMs: number; retryCounter: number }[]
}

/** Registration facts the homeserver gives about a local user. */
export interface LocalUserInfo {
  userType?: string | null
  deactivated?: boolean
  locked?: boolean
}
