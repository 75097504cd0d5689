import { join, resolve } from 'node:path'
import { open } from 'lmdb'
import type { RootDatabase, RootDatabaseOptions } from 'lmdb'
import type { Packr } from 'msgpackr'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { UserDirectoryError } from '../errors.js'
import { createEncoder } from './codec.js'
import { ENTRIES_DB, loadEntries, openEntriesDb, writeEntries } from './entries-db.js'
import type { EntriesDb } from './entries-db.js'
import { LOCAL_USERS_DB, loadLocalUsers, openLocalUsersDb, writeLocalUsers } from './local-users-db.js'
import type { LocalUsersDb } from './local-users-db.js'
import { MEMBERS_DB, loadMembers, openMembersDb, writeMembers } from './members-db.js'
import type { MembersDb } from './members-db.js'
import {
  FORMAT_NAME, FORMAT_VERSION, META_DB, writeProbe, encodeBatchMeta, openMetaDb, readBatchMeta, readBatchMetaRange, readFormat, readPosition,
  writeBatchMeta, writeFormat, writePosition,
} from './meta-db.js'
import type { MetaDb } from './meta-db.js'
import { defaultStoreOptions } from './options.js'
import type { LmdbStoreOptions } from './options.js'
import { RecordError } from './record-error.js'
import { ROOMS_DB, loadRooms, openRoomsDb, writeRooms } from './rooms-db.js'
import type { RoomsDb } from './rooms-db.js'
import { STALE_DB, loadStale, openStaleDb, writeStale } from './stale-db.js'
import type { StaleDb } from './stale-db.js'
import { messageOf, unusableStore as unusable } from './store-errors.js'
import { checkSpaceToCreate, prepareStorePath, whyNotWritable } from './store-path.js'
import type { DirectoryStore, StoreBatch, StoredState } from './types.js'

/** One typed named database per fact kind (Gatsby's `ILmdbDatabases`). */
type EnvOptions = RootDatabaseOptions

interface Databases {
  rooms: RoomsDb
  members: MembersDb
  localUsers: LocalUsersDb
  entries: EntriesDb
  stale: StaleDb
  meta: MetaDb
}

const DATABASE_NAMES: readonly string[] = [ROOMS_DB, MEMBERS_DB, LOCAL_USERS_DB, ENTRIES_DB, STALE_DB, META_DB]

/**
 * The directory's durable facts in one LMDB environment (a directory holding
 * `data.mdb` and `lock.mdb`), one named database per fact kind, values in
 * msgpack. A commit is one synchronous, durable transaction: after a crash
 * the store holds a whole batch or none of it. Reads are synchronous.
 *
 * Open one store per path per process.
 *
 * @example
 * const store = await LmdbStore.open('/var/lib/userdir')
 * store.commit({ rooms: [], members: [], localUsers: [], entries: [], stale: [], position: 1 })
 * const state = store.load()
 * await store.close()
 */
export class LmdbStore implements DirectoryStore {
  /** The environment directory, absolute. */
  readonly path: string
  #readOnlyBecause: string | null
  readonly #readOnlyAsked: boolean
  #env: RootDatabase
  #dbs: Databases
  readonly #envOptions: EnvOptions
  readonly #encoder: Packr
  readonly #logger: Logger
  #closing: Promise<void> | undefined

  private constructor(path: string, env: RootDatabase, envOptions: EnvOptions, dbs: Databases, encoder: Packr, logger: Logger, readOnlyBecause: string | null) {
    this.path = path
    this.#envOptions = envOptions
    this.#readOnlyBecause = readOnlyBecause
    this.#readOnlyAsked = envOptions.readOnly === true && readOnlyBecause === 'opened with readOnly'
    this.#env = env
    this.#dbs = dbs
    this.#encoder = encoder
    this.#logger = logger
  }

  /**
   * Opens the store at `path` (a directory), creating it when the path does
   * not exist or is an empty directory. Throws `UserDirectoryError`
   * (`M_UNKNOWN`), changing nothing, when the path is a file, a directory of
   * other files, holds a `data.mdb` that is not an LMDB file (checked before
   * LMDB sees it), an LMDB environment that is not a matrix-userdir store, or
   * a store of another format version. Cost: about a millisecond.
   */
  static async open(path: string, options: LmdbStoreOptions = {}): Promise<LmdbStore> {
    const logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'store' })
    const fullPath = resolve(path)
    const state = prepareStorePath(fullPath)
    let readOnlyBecause = options.readOnly === true ? 'opened with readOnly' : null
    if (state.notWritableBecause !== null && readOnlyBecause === null) {
      if (state.isNew) throw unusable(fullPath, `no store can be created there: ${state.notWritableBecause}`)
      readOnlyBecause = state.notWritableBecause
      logger.warn({ path: fullPath, reason: readOnlyBecause }, 'store is not writable: opened read-only; commits will fail')
    }
    if (state.isNew && readOnlyBecause !== null) throw unusable(fullPath, 'there is no store there to open read-only')
    checkSpaceToCreate(fullPath)
    const encoder = createEncoder()
    const envOptions: EnvOptions = {
      noSubdir: false,
      maxDbs: DATABASE_NAMES.length + 2,
      mapSize: options.mapSizeBytes ?? defaultStoreOptions.mapSizeBytes,
      readOnly: readOnlyBecause !== null,
      // Each commit is flushed before transactionSync returns (no overlapping or skipped syncs).
      overlappingSync: false,
      noSync: false,
      encoder,
    }
    let env: RootDatabase
    try {
      env = open(fullPath, envOptions)
    } catch (cause) {
      throw unusable(fullPath, `LMDB cannot open it (${messageOf(cause)})`, cause)
    }
    try {
      const dbs = state.isNew ? initialise(env, encoder) : openExisting(env, encoder, fullPath, readOnlyBecause !== null)
      logger.info({ path: fullPath, isReadOnly: readOnlyBecause !== null, isNew: state.isNew }, 'store opened')
      return new LmdbStore(fullPath, env, envOptions, dbs, encoder, logger, readOnlyBecause)
    } catch (error) {
      await env.close()
      throw error
    }
  }

  /**
   * Reads every stored fact: one range scan per database, blocking the
   * thread. Cost (bench/experiments/store-load.ts, 2-core VM): 0.2 s for 100k members
   * plus 100k entries and 2.4 s for a million of each when the machine is
   * quiet (0.6 s and 4.5–7 s under load), about 2.4× a bare range scan:
   * the rest is building and retaining the maps. Throws
   * `UserDirectoryError` if a record does not decode (a damaged store).
   */
  load(): StoredState {
    this.#assertOpen('load')
    try {
      const position = readPosition(this.#dbs.meta)
      if (position === undefined) throw new RecordError(META_DB, 'store/position', 'is not a number')
      return {
        rooms: loadRooms(this.#dbs.rooms),
        members: loadMembers(this.#dbs.members),
        localUsers: loadLocalUsers(this.#dbs.localUsers),
        entries: loadEntries(this.#dbs.entries),
        stale: loadStale(this.#dbs.stale),
        position,
      }
    } catch (error) {
      if (!(error instanceof RecordError)) throw error
      throw new UserDirectoryError('M_UNKNOWN', `the store at ${this.path} is damaged: ${error.message}. Rebuild it into a new directory.`, { cause: error })
    }
  }

  /**
   * Writes the whole batch, position and meta included, in one synchronous
   * transaction that is flushed to disk before this returns: all of it or,
   * if this throws, none of it. Blocks the thread for the write and an fsync
   * (a fraction of a millisecond for a small batch on a fast disk; more on
   * real disks). Throws `UserDirectoryError` (`M_UNKNOWN`) when the store is
   * read-only or the write fails (disk full, I/O error); the store then holds
   * what it held before. A meta value msgpack cannot encode is a plain
   * `Error` before anything is written.
   */
  commit(batch: StoreBatch): void {
    this.#assertOpen('commit')
    if (this.#readOnlyBecause !== null) {
      throw new UserDirectoryError('M_UNKNOWN', `cannot commit to the store at ${this.path}: it is open read-only (${this.#readOnlyBecause}). Nothing of this batch was stored.`)
    }
    const meta = encodeBatchMeta(this.#encoder, batch.meta ?? [])
    const dbs = this.#dbs
    try {
      this.#env.transactionSync(() => {
        writeRooms(dbs.rooms, batch.rooms)
        writeMembers(dbs.members, batch.members)
        writeLocalUsers(dbs.localUsers, batch.localUsers)
        writeEntries(dbs.entries, batch.entries)
        writeStale(dbs.stale, batch.stale)
        if (batch.position !== undefined) writePosition(dbs.meta, batch.position)
        writeBatchMeta(dbs.meta, meta)
      })
    } catch (cause) {
      this.#logger.error({ err: cause, path: this.path }, 'commit failed; nothing of the batch was stored')
      throw new UserDirectoryError(
        'M_UNKNOWN',
        `could not commit a batch to the store at ${this.path}: ${messageOf(cause)}. Nothing of this batch was stored; the store holds what it held before. Check free disk space and that the directory is writable.`,
        { cause },
      )
    }
  }

  /**
   * Maps the environment afresh, so the file pages a whole `load()` touched
   * no longer count in this process's resident memory (they stay in the
   * kernel's page cache; the store file at 1M bench users is ~400 MiB,
   * bench/RESULTS.md, all of it resident after a load). Later reads map in
   * only what they touch. Call it after `load()`, with no commit in flight;
   * the store stays open and usable. Cost: a close and an open of the
   * environment.
   */
  async releaseMappedPages(): Promise<void> {
    this.#assertOpen('releaseMappedPages')
    await this.#env.close()
    try {
      this.#env = open(this.path, this.#envOptions)
      this.#dbs = openAll(this.#env, this.#encoder)
    } catch (cause) {
      this.#closing = Promise.resolve()
      throw unusable(this.path, `LMDB cannot open it again (${messageOf(cause)})`, cause)
    }
  }

  /** `true`: `commit` throws (opened with `readOnly`, or the files were not writable at open and have not become so). */
  get isReadOnly(): boolean {
    return this.#readOnlyBecause !== null
  }

  /** Why commits cannot work (read-only), or `null`. */
  get notWritableBecause(): string | null {
    return this.#readOnlyBecause
  }

  /**
   * Checks whether commits can work now, and makes them work if they can: a
   * store opened read-only because its files were not writable is reopened
   * read-write once they are (not one opened with `readOnly: true`); then a
   * small probe record is written and flushed (a full disk fails it).
   * Returns `null` when writable, else why not. Cost: an access check, and a
   * one-record commit (an fsync).
   */
  async recheck(): Promise<string | null> {
    this.#assertOpen('recheck')
    if (this.#readOnlyAsked) return this.#readOnlyBecause
    if (this.#readOnlyBecause !== null) {
      const still = whyNotWritable(this.path, join(this.path, 'data.mdb'))
      if (still !== null) return still
      await this.#env.close()
      try {
        this.#envOptions.readOnly = false
        this.#env = open(this.path, this.#envOptions)
        this.#dbs = openAll(this.#env, this.#encoder)
      } catch (cause) {
        this.#envOptions.readOnly = true
        this.#env = open(this.path, this.#envOptions)
        this.#dbs = openAll(this.#env, this.#encoder)
        return `it could not be reopened for writing (${messageOf(cause)})`
      }
      this.#readOnlyBecause = null
      this.#logger.info({ path: this.path }, 'store writable again: reopened read-write')
    }
    try {
      const meta = this.#dbs.meta
      this.#env.transactionSync(() => writeProbe(meta))
      return null
    } catch (cause) {
      return `a probe write failed (${messageOf(cause)})`
    }
  }

  /** Reads a value written through `StoreBatch.meta`, or `undefined`. */
  getMeta(key: string): unknown {
    this.#assertOpen('getMeta')
    return readBatchMeta(this.#dbs.meta, key)
  }

  /** Every value written through `StoreBatch.meta` under a key starting with `prefix`, in key order (a range scan). */
  metaEntries(prefix: string): [string, unknown][] {
    this.#assertOpen('metaEntries')
    return [...readBatchMetaRange(this.#dbs.meta, prefix)]
  }

  /** Releases the environment (every commit is already on disk). Idempotent; the store cannot be used afterwards. */
  close(): Promise<void> {
    this.#closing ??= this.#env.close().then(() => this.#logger.info({ path: this.path }, 'store closed'))
    return this.#closing
  }

  #assertOpen(operation: string): void {
    if (this.#closing !== undefined) throw new Error(`LmdbStore: ${operation}() after close() (${this.path})`)
  }
}

/** Same as {@link LmdbStore.open}. */
export function openLmdbStore(path: string, options: LmdbStoreOptions = {}): Promise<LmdbStore> {
  return LmdbStore.open(path, options)
}

/** Creates the databases, then writes the format marker last: a store with a marker has them all. */
function initialise(env: RootDatabase, encoder: Packr): Databases {
  const dbs = openAll(env, encoder)
  env.transactionSync(() => writeFormat(dbs.meta))
  return dbs
}

function openAll(env: RootDatabase, encoder: Packr): Databases {
  const dbs = {
    rooms: openRoomsDb(env, encoder),
    members: openMembersDb(env, encoder),
    localUsers: openLocalUsersDb(env, encoder),
    entries: openEntriesDb(env, encoder),
    stale: openStaleDb(env, encoder),
    meta: openMetaDb(env, encoder),
  }
  const missing = Object.entries(dbs).filter(([, db]) => db === undefined).map(([name]) => name)
  if (missing.length > 0) throw new Error(`missing named databases: ${missing.join(', ')}`)
  return dbs as Databases
}

/**
 * Checks that an existing LMDB environment is ours, in this format version,
 * before creating anything in it: a foreign environment is left as it was.
 */
function openExisting(env: RootDatabase, encoder: Packr, path: string, isReadOnly: boolean): Databases {
  // The main database of an environment lists its named databases as keys.
  const names = [...env.getKeys()].map((key) => String(key))
  const isAllOurs = names.every((name) => DATABASE_NAMES.includes(name))
  if (names.length === 0 && !isReadOnly) return initialise(env, encoder)
  let meta: MetaDb | undefined
  try {
    meta = names.includes(META_DB) ? openMetaDb(env, encoder) : undefined
  } catch {
    meta = undefined
  }
  const marker = meta === undefined ? undefined : readFormat(meta)
  if (marker === undefined) {
    // Databases of ours, all empty, and no marker: a first open that stopped before writing it.
    if (isAllOurs && !isReadOnly && names.every((name) => env.openDB({ name }).getCount() === 0)) return initialise(env, encoder)
    throw notOurs(path, names)
  }
  if (marker.format !== FORMAT_NAME) throw notOurs(path, names)
  if (marker.version !== FORMAT_VERSION) {
    throw unusable(
      path,
      `it holds a matrix-userdir store of format version ${JSON.stringify(marker.version)}, and this build reads version ${FORMAT_VERSION}. Open it with the build that wrote it, or rebuild the directory into a new path`,
    )
  }
  try {
    return openAll(env, encoder)
  } catch (cause) {
    throw unusable(path, `the store is damaged (${messageOf(cause)}). Rebuild it into a new directory`, cause)
  }
}

function notOurs(path: string, names: readonly string[]): UserDirectoryError {
  const shown = names.slice(0, 8).map((name) => JSON.stringify(name)).join(', ') + (names.length > 8 ? ', …' : '')
  const contents = names.length === 0 ? 'its main database is empty' : `its main database has the keys ${shown}`
  return unusable(
    path,
    `it holds an LMDB environment that is not a matrix-userdir store (no ${FORMAT_NAME} format marker; ${contents}). Use a new or empty directory for the store`,
  )
}
