import { asBinary } from 'lmdb'
import type { Database, RootDatabase } from 'lmdb'
import type { Packr } from 'msgpackr'
import { namedDatabase } from './codec.js'

/** What makes a store ours: the marker under {@link FORMAT_KEY}. */
interface StoreFormat {
  format: typeof FORMAT_NAME
  /** The record layout; bumped when a stored value or key changes shape. */
  version: number
}

/** The marker's `format` field. */
export const FORMAT_NAME = 'matrix-userdir'
/** The record layout this build reads and writes. */
export const FORMAT_VERSION = 1

/**
 * `meta`: the store's own records under `store/` keys (format marker, stream
 * position) and the small values other layers write through
 * `StoreBatch.meta`, under `batch/` keys so they cannot collide.
 */
export type MetaDb = Database<unknown, string>

export const META_DB = 'meta'
const FORMAT_KEY = 'store/format'
const POSITION_KEY = 'store/position'
const PROBE_KEY = 'store/probe'
const BATCH_PREFIX = 'batch/'

/** Opens (or, writable, creates) the database; `undefined` if read-only and missing. */
export function openMetaDb(env: RootDatabase, encoder: Packr): MetaDb | undefined {
  return env.openDB<unknown, string>(namedDatabase(META_DB, encoder))
}

/** The format marker as stored: a `StoreFormat` of some version, something else, or `undefined` if absent. */
export function readFormat(db: MetaDb): { format: unknown; version: unknown } | undefined {
  const value = db.get(FORMAT_KEY)
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) return { format: value, version: undefined }
  return { format: 'format' in value ? value.format : undefined, version: 'version' in value ? value.version : undefined }
}

/** Writes this build's marker; call inside a write transaction. */
export function writeFormat(db: MetaDb): void {
  const marker: StoreFormat = { format: FORMAT_NAME, version: FORMAT_VERSION }
  db.putSync(FORMAT_KEY, marker)
}

/** The stored stream position, `null` if none was committed; `undefined` if the record is damaged. */
export function readPosition(db: MetaDb): number | null | undefined {
  const value = db.get(POSITION_KEY)
  if (value === undefined) return null
  return typeof value === 'number' ? value : undefined
}

export function writePosition(db: MetaDb, position: number): void {
  db.putSync(POSITION_KEY, position)
}

/** Writes the probe record (a counter) that checks the store can be written; call inside a write transaction. */
export function writeProbe(db: MetaDb): void {
  const before = db.get(PROBE_KEY)
  db.putSync(PROBE_KEY, typeof before === 'number' ? before + 1 : 1)
}

/** A value written through `StoreBatch.meta`, or `undefined`. */
export function readBatchMeta(db: MetaDb, key: string): unknown {
  return db.get(BATCH_PREFIX + key)
}

/** Every value written through `StoreBatch.meta` under a key starting with `prefix`, in key order. */
export function* readBatchMetaRange(db: MetaDb, prefix: string): Generator<[string, unknown]> {
  const start = BATCH_PREFIX + prefix
  for (const { key, value } of db.getRange({ start })) {
    if (typeof key !== 'string' || !key.startsWith(start)) return
    yield [key.slice(BATCH_PREFIX.length), value]
  }
}

/** `StoreBatch.meta` encoded ahead of the transaction (`null`: delete). */
type EncodedMeta = [key: string, value: Uint8Array | null][]

/**
 * Encodes the batch's meta values before the write transaction, so that a
 * value msgpack cannot hold (a symbol, a huge bigint) is a plain `Error`
 * naming its key, not a failed commit. `null` and `undefined` delete.
 */
export function encodeBatchMeta(encoder: Packr, meta: readonly [string, unknown][]): EncodedMeta {
  return meta.map(([key, value]) => {
    if (value === null || value === undefined) return [key, null]
    try {
      // A copy: the encoder's output is a view of a buffer it goes on writing into.
      return [key, new Uint8Array(encoder.pack(value))]
    } catch (cause) {
      throw new Error(`StoreBatch.meta value of ${JSON.stringify(key)} cannot be encoded: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    }
  })
}

/** Writes encoded meta values; call inside a write transaction. */
export function writeBatchMeta(db: MetaDb, meta: EncodedMeta): void {
  for (const [key, bytes] of meta) {
    if (bytes === null) db.removeSync(BATCH_PREFIX + key)
    else db.putSync(BATCH_PREFIX + key, asBinary(bytes))
  }
}
