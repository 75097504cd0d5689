import { pino } from 'pino'
import type { Logger } from 'pino'
import { UserDirectoryError } from '../errors.js'
import { parseServerName, parseUserId } from '../ids/index.js'
import type { RoomId, ServerName } from '../ids/index.js'
import { cleanProfileText } from '../rooms/index.js'
import type { RoomState, StateDelta } from '../rooms/index.js'
import { DirectoryEntries, ProfileRefresher } from '../profiles/index.js'
import type { SearchWarmReport } from '../search/index.js'
import { RoomVisibility, UserRegistry } from '../visibility/index.js'
import { openLmdbStore } from '../store/index.js'
// From types.js, not the folder's face: the face re-exports the LMDB code, and lmdb's own .d.ts does not compile in a strict ESM consumer.
import type { DirectoryStore } from '../store/types.js'
import { transactionKey } from './transaction-window.js'
import { checkDeltas, ingestTransactionKey, localUserId, registeredUser, requireRegistered, requiredBoolean } from './arguments.js'
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
import { UnitOfWork } from './unit-of-work.js'
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
  readonly #parts: RebuildParts

  private constructor(options: UserDirectoryOptions, store?: DirectoryStore) {
    this.serverName = parseServerName(options.serverName)
    const flags = directoryFlags(options)
    const clock = options.clock ?? systemClock
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'userdir' })
    const registry = new UserRegistry(this.serverName, options.appservices ?? [])
    const rooms = new Map<RoomId, RoomState>()
    this.#facts = { rooms, registry, entries: new DirectoryEntries(), visibility: new RoomVisibility(rooms, registry) }
    this.#search = new DirectorySearch(this.#facts, flags, [...(options.spamCheckers ?? [])], clock, this.#logger)
    this.#work = new UnitOfWork(this.#facts, store, this.#search, clock, this.#logger)
    this.#writer = new FactWriter(this.#facts, this.#work, this.#search, clock, () => this.#refresher)
    this.importAccess = createImportAccess(this.#facts, this.#work)
    this.#parts = { facts: this.#facts, work: this.#work, search: this.#search, logger: this.#logger }
    const fetcher = profileFetcherOption(options)
    const host = createRefreshHost(this.#facts.entries, (change) => this.#work.background(change))
    this.#refresher = fetcher === undefined ? undefined : new ProfileRefresher(host, fetcher, clock, this.#logger.child({ part: 'refresher' }))
  }

  /**
   * Opens a directory: memory only, or with `path` an LMDB store that is
   * created if missing and otherwise loaded (cost: a scan of the store and a
   * rebuild of the search index; bench/RESULTS.md gives the reopen time at
   * 10k, 100k and 1M users; synchronous, unlike `rebuild()`: nothing else
   * runs until it is done). A path holding anything but a store of ours
   * fails with `UserDirectoryError` and is left untouched.
   */
  static async open(options: UserDirectoryOptions): Promise<UserDirectory> {
    checkOpenOptions(options)
    if (options.path === undefined) return new UserDirectory(options)
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
      dir.#work.loadFromStore(() => rebuildAtOpen(dir.#parts))
      dir.#work.loadTransactions(store)
      await store.releaseMappedPages()
      if (store.notWritableBecause !== null) dir.#work.markUnwritable('the store is read-only')
      const { entries, rooms } = dir.#facts
      dir.#logger.info({ path: options.path, entries: entries.size, rooms: rooms.size, position: dir.#work.position }, 'opened the directory from its store')
      if (entries.staleCount > 0) dir.#refresher?.start()
      return dir
    } catch (error) {
      await store.close()
      throw error
    }
  }

  // ---- local users -------------------------------------------------------

  /** Registers a local user, or updates its type and flags. */
  async registerLocalUser(userId: string, info: LocalUserInfo = {}): Promise<void> {
    await this.#work.turn()
    const id = localUserId(this.#facts.registry, this.serverName, userId)
    this.#writer.updateLocalUser(id, registeredUser(this.#facts.registry.get(id), info))
  }

  /** Marks a registered local user deactivated (removed from the directory) or active again. */
  async setUserDeactivated(userId: string, deactivated: boolean): Promise<void> {
    await this.#work.turn()
    const id = localUserId(this.#facts.registry, this.serverName, userId)
    const before = requireRegistered(this.#facts.registry, id)
    this.#writer.updateLocalUser(id, { ...before, deactivated: requiredBoolean(deactivated, 'deactivated') })
  }

  /** Locks or unlocks a registered local user (locked users are hidden from search unless `showLockedUsers`). */
  async setUserLocked(userId: string, locked: boolean): Promise<void> {
    await this.#work.turn()
    const id = localUserId(this.#facts.registry, this.serverName, userId)
    const before = requireRegistered(this.#facts.registry, id)
    this.#writer.updateLocalUser(id, { ...before, locked: requiredBoolean(locked, 'locked') })
  }

  /** The homeserver deactivated a local user: same as `setUserDeactivated(userId, true)`; unknown users are ignored. */
  async handleLocalUserDeactivated(userId: string): Promise<void> {
    await this.#work.turn()
    const id = localUserId(this.#facts.registry, this.serverName, userId)
    const before = this.#facts.registry.get(id)
    if (before !== undefined) this.#writer.updateLocalUser(id, { ...before, deactivated: true })
  }

  /** A local user's global profile changed. Ignored for excluded users (support, deactivated, appservice, unknown). */
  async handleLocalProfileChange(userId: string, profile: { displayName?: unknown; avatarUrl?: unknown }): Promise<void> {
    await this.#work.turn()
    const id = localUserId(this.#facts.registry, this.serverName, userId)
    if (typeof profile !== 'object' || profile === null) throw new UserDirectoryError('M_INVALID_PARAM', 'profile must be an object')
    if (!this.#facts.registry.isIncluded(id)) {
      this.#logger.debug({ userId: id }, 'ignoring profile change of a user excluded from the directory')
      return
    }
    const entry = { displayName: cleanProfileText(profile.displayName), avatarUrl: cleanProfileText(profile.avatarUrl) }
    this.#work.unit(() => this.#facts.entries.set(id, entry))
  }

  // ---- the room state stream -------------------------------------------

  /**
   * Applies state deltas in order, then records `position`. A malformed
   * delta is skipped with a warning (and listed in the report); the rest of
   * the batch still applies. Every delta is checked before any applies, and
   * the batch, its position and its `transactionId` are committed together
   * or not at all: when the store refuses the commit this throws
   * `UserDirectoryError` (`M_UNKNOWN`), memory is as before the call, and a
   * retry with the same `transactionId` applies the batch.
   */
  async ingest(deltas: readonly StateDelta[], options: IngestOptions = {}): Promise<IngestReport> {
    this.#work.assertOpen()
    await this.#work.turn()
    const key = ingestTransactionKey(options.transactionId)
    if (key !== undefined && this.#work.isApplied(key)) return { applied: 0, skipped: [], duplicate: true }
    const { valid, position, report } = checkDeltas(deltas, options.position, this.#logger)
    return this.#work.unit(() => {
      for (const delta of valid) this.#writer.applyDelta(delta)
      if (position !== undefined) this.#work.setPosition(position)
      if (key !== undefined) this.#work.addTransaction(key)
      return report
    })
  }

  /** Whether a batch with this `transactionId` was applied (kept for the last 10,000 ids, in memory and in the store). */
  isTransactionApplied(transactionId: string): boolean {
    return this.#work.isApplied(transactionKey(transactionId))
  }

  /**
   * Whether the directory can take writes: `ok: false` with a short reason
   * (no paths) while it is closed, or while its store cannot be written (it
   * was opened read-only, or the last commit failed); the log has the
   * details. A store in that state is checked again every 30 s
   * (`STORE_RECHECK_MS`; a read-only one is reopened read-write once its
   * files are writable, then a probe record is written), and `ok` comes
   * back as soon as a check or a commit succeeds. Not in API.md's first
   * version: added for `/health`.
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

  /**
   * Drops the cached rankings of the queries searched so far (see
   * `RankedList`), and with `pinned` those of the frequent prefixes too (see
   * `warmSearch`; they are ranked again by their next search, and kept only
   * after the next warm-up). Never needed for correct answers; benchmarks
   * call it to measure searches whose ranking is not cached yet.
   */
  clearSearchCache(options: { pinned?: boolean } = {}): void {
    this.#search.clearCache(options.pinned === true)
  }

  /**
   * Ranks the frequent one-lexeme queries ahead of their first search (see
   * the `warmSearch` option), in slices between other work, and resolves
   * when done. Joins a warm-up already running (one starts after `open()`
   * from a store and after `rebuild()`), else plans and runs a new one.
   */
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
   * one store transaction (one fsync instead of one per call; a page of
   * imported users costs one commit), or none of it is kept. If the task
   * throws, or the store refuses the commit, every change it made is undone
   * in memory and nothing is stored; the error is rethrown. Calls the task
   * makes (and a `batch` inside it) join the batch; a call that throws
   * inside it undoes its own changes only. Calls from elsewhere (another
   * request, the profile refresher) wait until the batch has ended. The
   * search index catches up when the batch commits.
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
   * index) from rooms and users, as one unit of work: the entries it fixes
   * are committed, or (the store refusing) undone and the index kept.
   *
   * It runs in slices of about 5 ms with the event loop free between them
   * (see `sliced-rebuild.ts`): the new counters and index are built beside
   * the live ones, searches meanwhile are answered from the state before
   * the rebuild, and the new state replaces it at once when the fixes
   * commit. Changes from elsewhere (ingest, local users, `batch`) wait for
   * the rebuild, as they wait for a batch; profile refreshes are deferred.
   * If a slice fails or the commit is refused, nothing changes and the
   * error is rethrown. Memory: two search indexes while it runs. Inside a
   * `batch()` it runs synchronously, as part of the batch.
   */
  async rebuild(): Promise<void> {
    return rebuildDirectory(this.#parts)
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
