/**
 * @module Store: durable facts in LMDB (rooms, members, local users,
 * entries, stale marks, stream position). The only folder that imports
 * lmdb and msgpackr.
 */
export type { DirectoryStore, StoreBatch, StoredState, StoredRoom } from './types.js'
