import type { DatabaseOptions } from 'lmdb'
import { Packr } from 'msgpackr'

/**
 * The value codec of every database: msgpackr 2 instead of the 1.x that
 * lmdb bundles, plain msgpack (records are short tuples, so there are no
 * shared structures to keep in step with aborted transactions).
 */
export function createEncoder(): Packr {
  return new Packr({ useRecords: false })
}

/** lmdb-js's `DatabaseOptions` plus `encoder`, which it reads per database but does not type there. */
interface NamedDatabaseOptions extends DatabaseOptions {
  name: string
  encoder: Packr
}

/** Options of a named database that encodes its values with `encoder`. */
export function namedDatabase(name: string, encoder: Packr): NamedDatabaseOptions {
  return { name, encoder }
}
