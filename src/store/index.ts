/**
 * @module Durable facts in LMDB: one environment, one named database per
 * fact kind, msgpack values, a format marker, one transaction per batch.
 * The only folder that imports `lmdb` and `msgpackr`; imports no folder
 * above the domain types it stores.
 */
export { LmdbStore, openLmdbStore } from './lmdb-store.js'
export type { LmdbStoreOptions } from './options.js'
export { defaultStoreOptions } from './options.js'
export type { DirectoryStore, StoreBatch, StoredState, StoredRoom } from './types.js'
export { FORMAT_NAME, FORMAT_VERSION } from './meta-db.js'
