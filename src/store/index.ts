/**
 * @module The directory's stores, behind one contract (`DirectoryStore`):
 * durable facts in LMDB (one environment, one named database per fact kind,
 * msgpack values, a format marker, one transaction per batch), and
 * `MemoryStore`, the store of a memory-only directory.
 * The only folder that imports `lmdb` and `msgpackr`; imports no folder
 * above the domain types it stores.
 */
export { LmdbStore, openLmdbStore } from './lmdb-store.js'
export { MemoryStore } from './memory-store.js'
export type { LmdbStoreOptions } from './options.js'
export { defaultStoreOptions } from './options.js'
export type { DirectoryStore, StoreBatch, StoredState, StoredRoom } from './types.js'
export { FORMAT_NAME, FORMAT_VERSION } from './meta-db.js'
