import { pino } from 'pino'
import type { Logger } from 'pino'
import { parseServerName, parseUserId } from '../ids/index.js'
import type { ServerName } from '../ids/index.js'
import type { StateDelta } from '../rooms/index.js'
import { ProfileRefresher } from '../profiles/index.js'
import type { SearchWarmReport } from '../search/index.js'
import { MemoryStore, openLmdbStore } from '../store/index.js'
// From types.js, not the folder's face: the face re-exports the LMDB code, and lmdb's own .d.ts does not compile in a strict ESM consumer.
import type { DirectoryStore } from '../store/types.js'
import { systemClock } from '../clock.js'
import { checkOpenOptions, checkSpamCheckers, directoryFlags, profileFetcherOption } from './options.js'
import type { SpamChecker, UserDirectoryOptions } from './options.js'
import { createRefreshHost } from './refresh-host.js'
import { rebuildAtOpen, rebuildDirectory } from './sliced-rebuild.js'
import type { RebuildParts } from './sliced-rebuild.js'
import { DirectorySearch } from './directory-search.js'
import { FactWriter } from './fact-writer.js'
import { createImportAccess } from './import-access.js'
import type { ImportAccess } from './import-access.js'
import { directoryStats, directoryTables } from './tables.js'
import { UnitOfWork, createFacts } from './unit-of-work.js'
import type { DirectoryFacts } from './unit-of-work.js'
import type { DirectoryStats, DirectoryTables, IngestOptions, IngestReport, LocalUserInfo, SearchResults } from './types.js'

export { STORE_RECHECK_MS } from './unit-of-work.js'

/**
 * The user directory: who is in it, who can find whom, and search ranked as
 * Synapse ranks it on PostgreSQL. Feed it local-user facts and the room
 * state stream; ask it `search`. A façade: the facts change inside the
 * unit of work (unit-of-work.ts, fact-writer.ts), the search side answers
 * queries (directory-search.ts), the importer reads through `importAccess`.
 *
 * @example
 * const dir = await UserDirectory.open({ serverName: 'example.org' })
 * await dir.registerLocalUser('@alice:example.org', {})
 * await dir.handleLocalProfileChange('@alice:example.org', { displayName: 'Alice', avatarUrl: null })
 * await dir.ingest([{ room_id: '!r:example.org', type: 'm.room.member', state_key: '@alice:example.org', content: { membership: 'join' } }], { position: 1 })
 * await dir.search('@alice:example.org', 'ali') // { limited: false, results: [...] }
 */
export class UserDirectory {
  readonly serverName: ServerName
  /** What src/import and src/follow read and store beside the public API. @internal */
  readonly importAccess: ImportAccess
  readonly #logger: Logger
  readonly #facts: DirectoryFacts
  readonly #search: DirectorySearch
  readonly #work: UnitOfWork
  readonly #writer: FactWriter
  readonly #refresher: ProfileRefresher | undefined

  private constructor(options: UserDirectoryOptions, store: DirectoryStore) {
    this.serverName = parseServerName(options.serverName)
    const flags = directoryFlags(options)
    const clock = options.clock ?? systemClock
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'userdir' })
    const spamCheckers = [...(options.spamCheckers ?? [])]
    this.#facts = createFacts(this.serverName, options.appservices ?? [])
    this.#search = new DirectorySearch(this.#facts, flags, spamCheckers, clock, this.#logger)
    this.#work = new UnitOfWork(this.#facts, store, this.#search, clock, this.#logger)
    this.#writer = new FactWriter(this.#facts, this.#work, this.#search, clock, () => this.#refresher, this.serverName, this.#logger)
    this.importAccess = createImportAccess(this.#facts, this.#work)
    const fetcher = profileFetcherOption(options)
    const host = createRefreshHost(this.#facts.entries, (change) => this.#work.background(change))
    this.#refresher = fetcher === undefined ? undefined : new ProfileRefresher(host, fetcher, clock, this.#logger.child({ part: 'refresher' }))
  }

  /**
   * Opens a directory: memory only, or with `path` an LMDB store, created if
   * missing, else loaded (a scan of the store and a rebuild of the search
   * index, synchronous: bench/RESULTS.md gives the reopen time at 10k, 100k
   * and 1M users). A path holding anything but a store of ours fails with
   * `UserDirectoryError` and is left untouched.
   */
  static async open(options: UserDirectoryOptions): Promise<UserDirectory> {
    checkOpenOptions(options)
    if (options.path === undefined) return UserDirectory.openOnStore(options, new MemoryStore())
    const store = await openLmdbStore(options.path, options.logger === undefined ? {} : { logger: options.logger })
    return UserDirectory.openOnStore(options, store)
  }

  /**
   * Opens a directory on a store the caller opened (`options.path` is only
   * logged). Not part of API.md: tests pass a store wrapper that fails on
   * demand. The directory owns the store from here: `close()` closes it, and
   * so does a failed open.
   * @internal
   */
  static async openOnStore(options: UserDirectoryOptions, store: DirectoryStore): Promise<UserDirectory> {
    try {
      const dir = new UserDirectory(options, store)
      await dir.#work.open(store, () => rebuildAtOpen(dir.#parts()))
      const { entries, rooms } = dir.#facts
      dir.#logger.info({ path: options.path, entries: entries.size, rooms: rooms.size, position: dir.#work.position }, 'opened the directory from its store')
      if (entries.staleCount > 0) dir.#refresher?.start()
      return dir
    } catch (error) {
      await store.close()
      throw error
    }
  }

  // ---- local users (checked, then one unit of work each: fact-writer.ts) ----

  /** Registers a local user, or updates its type and flags. */
  async registerLocalUser(userId: string, info: LocalUserInfo = {}): Promise<void> {
    await this.#work.turn()
    this.#writer.registerLocalUser(userId, info)
  }

  /** Marks a registered local user deactivated (removed from the directory) or active again. */
  async setUserDeactivated(userId: string, deactivated: boolean): Promise<void> {
    await this.#work.turn()
    this.#writer.setUserDeactivated(userId, deactivated)
  }

  /** Locks or unlocks a registered local user (locked users are hidden from search unless `showLockedUsers`). */
  async setUserLocked(userId: string, locked: boolean): Promise<void> {
    await this.#work.turn()
    this.#writer.setUserLocked(userId, locked)
  }

  /** The homeserver deactivated a local user: same as `setUserDeactivated(userId, true)`; unknown users are ignored. */
  async handleLocalUserDeactivated(userId: string): Promise<void> {
    await this.#work.turn()
    this.#writer.handleLocalUserDeactivated(userId)
  }

  /** A local user's global profile changed. Ignored for excluded users (support, deactivated, appservice, unknown). */
  async handleLocalProfileChange(userId: string, profile: { displayName?: unknown; avatarUrl?: unknown }): Promise<void> {
    await this.#work.turn()
    this.#writer.handleLocalProfileChange(userId, profile)
  }

  // ---- the room state stream -------------------------------------------

  /**
   * Applies state deltas in order, then records `position`; a malformed
   * delta is skipped with a warning (and listed in the report). All of it
   * commits or nothing: when the store refuses, this throws `M_UNKNOWN`,
   * memory is as before, and a retry with the same `transactionId` applies.
   */
  async ingest(deltas: readonly StateDelta[], options: IngestOptions = {}): Promise<IngestReport> {
    this.#work.assertOpen()
    await this.#work.turn()
    return this.#writer.ingest(deltas, options)
  }

  /** Whether a batch with this `transactionId` was applied (kept for the last 10,000 ids, in memory and in the store). */
  isTransactionApplied(transactionId: string): boolean {
    return this.#work.isTransactionApplied(transactionId)
  }

  /**
   * Whether the directory can take writes: `ok: false` with a short reason
   * while it is closed or its store cannot be written (read-only, or the
   * last commit failed; rechecked every `STORE_RECHECK_MS`, see
   * unit-of-work.ts). For `/health`; not in API.md's first version.
   */
  health(): { ok: boolean; reason: string | null } {
    return this.#work.health()
  }

  /** Counts for monitoring (cheap: no relation is materialised). */
  stats(): DirectoryStats {
    return directoryStats(this.#facts, this.#search.size, this.#work.position)
  }

  /** The stream position of the last batch applied, or null if none carried one. */
  streamPosition(): number | null {
    return this.#work.position
  }

  // ---- queries ------------------------------------------------------------

  /**
   * Searches the directory as `requesterId` (SPEC §3): the best `limit`
   * visible matches, and whether there were more. Spam checkers then run on
   * that page.
   */
  async search(requesterId: string, term: string, limit = 10, options: { explain?: boolean } = {}): Promise<SearchResults> {
    this.#work.assertOpen()
    return this.#search.search(requesterId, term, limit, options.explain === true)
  }

  /** Drops cached rankings (with `pinned`, the warmed ones too); never needed for correct answers. See `DirectorySearch.clearCache`. */
  clearSearchCache(options: { pinned?: boolean } = {}): void {
    this.#search.clearCache(options.pinned === true)
  }

  /** Ranks the frequent one-lexeme queries ahead of their first search, and resolves when done. See `DirectorySearch.warm`. */
  warmSearch(): Promise<SearchWarmReport> {
    this.#work.assertOpen()
    return this.#search.warm()
  }

  /** The directory entry of a user, or null if they are not in the directory. */
  async getProfile(userId: string): Promise<{ display_name: string | null; avatar_url: string | null } | null> {
    const entry = this.#facts.entries.get(parseUserId(userId))
    return entry === undefined ? null : { display_name: entry.displayName, avatar_url: entry.avatarUrl }
  }

  /** The Synapse tables, sorted (for tests and debugging; cost grows with the square of room sizes). */
  tables(): DirectoryTables {
    return directoryTables(this.#facts)
  }

  /**
   * Runs `task` as one unit of work: everything it changes is committed in
   * one store transaction, or (the task throwing, the store refusing) none
   * of it is kept and the error is rethrown. Calls from elsewhere wait until
   * it has ended. See `UnitOfWork.batch` for nesting and failures inside.
   */
  batch<T>(task: () => Promise<T>): Promise<T> {
    return this.#work.batch(task)
  }

  // ---- upkeep -------------------------------------------------------------

  /** Replaces the spam-checker callbacks. */
  setSpamCheckers(checkers: SpamChecker[]): void {
    this.#search.setSpamCheckers(checkSpamCheckers(checkers))
  }

  /**
   * Recomputes every derived structure (relations, entries to drop, search
   * index) from rooms and users, as one unit of work, in slices of about
   * 5 ms: searches meanwhile are answered from the state before it, other
   * changes wait for it. If it fails nothing changes and the error is
   * rethrown. See `sliced-rebuild.ts`.
   */
  async rebuild(): Promise<void> {
    return rebuildDirectory(this.#parts())
  }

  // The parts a rebuild reads and replaces.
  #parts(): RebuildParts {
    return { facts: this.#facts, work: this.#work, search: this.#search, logger: this.#logger }
  }

  /** Releases timers and the store. The directory cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.#work.closed) return
    this.#work.close()
    this.#search.cancel()
    this.#refresher?.close()
    await this.#work.closeStore()
  }
}
