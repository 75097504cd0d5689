import type { Logger } from 'pino'

/** Options of {@link LmdbStore.open}. */
export interface LmdbStoreOptions {
  /**
   * pino logger; the store logs through a `{ module: 'store' }` child (open,
   * read-only fallback, failed commits). Default: silent.
   */
  logger?: Logger
  /**
   * Initial size of LMDB's memory map, in bytes. Default 128 MiB. It is
   * address space, not memory or disk: the file only grows with the data.
   * lmdb-js grows the map by itself when a transaction needs more (doubling
   * the used size), so this is not a cap, and the realistic "full" failure
   * is a full disk. A larger value saves the few remaps while a store grows;
   * a smaller one costs a remap (milliseconds) now and then.
   */
  mapSizeBytes?: number
  /**
   * Open without writing: `commit` throws, `load` and `getMeta` work.
   * Default false. A store whose directory or `data.mdb` is not writable is
   * opened read-only anyway, with a warning in the log. A read-only open
   * still needs a writable `lock.mdb` (LMDB's reader table) unless the file
   * system itself is read-only.
   */
  readOnly?: boolean
}

/** The defaults of {@link LmdbStoreOptions}. */
export const defaultStoreOptions = Object.freeze({
  mapSizeBytes: 128 * 1024 * 1024,
  readOnly: false,
})
