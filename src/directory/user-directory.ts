import { AsyncLocalStorage } from 'node:async_hooks'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { UserDirectoryError } from '../errors.js'
import { localpartOf, parseServerName, parseUserId, serverNameOf } from '../ids/index.js'
import type { RoomId, ServerName, UserId } from '../ids/index.js'
import { cleanProfileText, validateDelta, applyDelta, emptyRoom, isRoomPublic } from '../rooms/index.js'
import type { RoomChange, RoomState, StateDelta, ValidDelta } from '../rooms/index.js'
import { DirectoryEntries, ProfileRefresher, STALE_REFRESH_DELAY_MS } from '../profiles/index.js'
import type { Profile } from '../profiles/index.js'
import { EntryFlag, SearchIndex, SearchWarmer, Searcher, buildSearchQuery } from '../search/index.js'
import type { SearchQuery } from '../search/index.js'
import type { IndexedUser, SearchWarmReport } from '../search/index.js'
import { parseQueryWords } from '../text/index.js'
import { RoomVisibility, UserRegistry, VisibilityFilter } from '../visibility/index.js'
import type { LocalUser, VisibilityChange } from '../visibility/index.js'
import { openLmdbStore } from '../store/index.js'
// From types.js, not the folder's face: the face re-exports the LMDB code, and lmdb's own .d.ts does not compile in a strict ESM consumer.
import type { DirectoryStore } from '../store/types.js'
import { Journal } from './journal.js'
import type { UndoStep } from './journal.js'
import { TRANSACTION_KEY_PREFIX, TRANSACTION_WINDOW, TransactionWindow, transactionKey } from './transaction-window.js'
import { optionalBoolean, requiredBoolean } from './arguments.js'
import { FactLog, loadFacts } from './fact-log.js'
import { systemClock } from '../clock.js'
import { defaultOptions } from './options.js'
import { createRefreshHost } from './refresh-host.js'
import { planRebuild } from './sliced-rebuild.js'
import { dropSpam } from './drop-spam.js'
import type { Clock, SpamChecker, UserDirectoryOptions } from './options.js'
import type { DirectoryStats, DirectoryTables, IngestOptions, IngestReport, LocalUserInfo, SearchResultItem, SearchResults } from './types.js'
import { describeValue } from '../describe-value.js'

// Recent search terms kept parsed (terms up to 256 characters).
const MAX_CACHED_QUERIES = 4096
const MAX_CACHED_TERM_LENGTH = 256
const CALLER_META_PREFIX = 'ext:'
/** While the store cannot be written, it is checked again this often. */
export const STORE_RECHECK_MS = 30_000

/**
 * The user directory: who is in it, who can find whom, and search ranked as
 * Synapse ranks it on PostgreSQL. Feed it local-user facts and the room
 * state stream; ask it `search`.
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
  readonly #options: Required<Pick<UserDirectoryOptions, keyof typeof defaultOptions>>
  readonly #clock: Clock
  readonly #logger: Logger
  #spamCheckers: SpamChecker[]
  readonly #registry: UserRegistry
  readonly #rooms = new Map<RoomId, RoomState>()
  #visibility: RoomVisibility
  readonly #entries = new DirectoryEntries()
  #index: SearchIndex
  readonly #searcher = new Searcher()
  readonly #filter = new VisibilityFilter()
  readonly #warmer: SearchWarmer
  readonly #queries = new Map<string, SearchQuery>()
  #position: number | null = null
  // The last TRANSACTION_WINDOW applied transaction ids (keys), oldest first.
  readonly #transactions = new TransactionWindow(TRANSACTION_WINDOW)
  // Transaction keys of the unit of work in progress: remembered once it commits.
  #pendingTransactions: string[] = []
  #closed = false
  readonly #store: DirectoryStore | undefined
  readonly #refresher: ProfileRefresher | undefined
  // Facts changed since the last commit, written to the store in one transaction.
  readonly #facts = new FactLog()
  // What the unit of work in progress replaced, to undo it if it fails.
  readonly #journal = new Journal()
  // The open `batch()`, if any: units inside it commit with it; calls from
  // outside it wait for it to end (`#turn`).
  #openBatch: { done: Promise<void> } | undefined
  readonly #batchScope = new AsyncLocalStorage<{ done: Promise<void> }>()
  // Background changes (profile refreshes) that arrived while a batch was open.
  readonly #deferred: (() => void)[] = []
  // Entries whose search bits (Locked, InPublicRoom) may have changed in the
  // unit of work in progress: set from the facts when it commits.
  readonly #flagsToSet = new Set<UserId>()
  // Set by rebuild(): the search index is rebuilt when its unit commits.
  #rebuildIndexAtCommit = false
  // Why the store cannot be written now (read-only, last commit failed), or null; see health().
  #unwritable: string | null = null
  #recheckTimer: unknown
  // setMeta values of a memory-only directory.
  readonly #memoryMeta = new Map<string, unknown>()

  private constructor(options: UserDirectoryOptions, store?: DirectoryStore) {
    this.#store = store
    const serverName = parseServerName(options.serverName)
    this.serverName = serverName
    this.#options = { ...defaultOptions }
    for (const key of Object.keys(defaultOptions) as (keyof typeof defaultOptions)[]) {
      const value = options[key]
      if (value === undefined) continue
      if (typeof value !== 'boolean') throw new UserDirectoryError('M_INVALID_PARAM', `option ${key} must be a boolean, got ${describeValue(value)}`)
      this.#options[key] = value
    }
    this.#index = this.#newIndex()
    this.#entries.journal = this.#journal
    this.#clock = options.clock ?? systemClock
    this.#logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'userdir' })
    this.#spamCheckers = [...(options.spamCheckers ?? [])]
    this.#registry = new UserRegistry(serverName, options.appservices ?? [])
    this.#visibility = new RoomVisibility(this.#rooms, this.#registry)
    const fetcher = options.profileFetcher
    if (fetcher !== undefined && typeof fetcher !== 'function') throw new UserDirectoryError('M_INVALID_PARAM', 'profileFetcher must be a function')
    this.#warmer = new SearchWarmer({ index: () => this.#index, searcher: this.#searcher, preferLocal: this.#options.preferLocalUsers }, this.#clock, this.#logger.child({ part: 'warmer' }))
    this.#refresher = fetcher === undefined ? undefined : new ProfileRefresher(createRefreshHost(this.#entries, (change) => this.#background(change)), fetcher, this.#clock, this.#logger.child({ part: 'refresher' }))
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
    if (typeof options !== 'object' || options === null) throw new UserDirectoryError('M_INVALID_PARAM', 'options must be an object')
    if (options.path === undefined) return new UserDirectory(options)
    if (typeof options.path !== 'string' || options.path === '') throw new UserDirectoryError('M_INVALID_PARAM', `path must be a directory path, got ${describeValue(options.path)}`)
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
      dir.#loadFromStore()
      dir.#loadTransactions(store)
      await store.releaseMappedPages()
      if (store.notWritableBecause !== null) dir.#markUnwritable('the store is read-only')
      dir.#logger.info({ path: options.path, entries: dir.#entries.size, rooms: dir.#rooms.size, position: dir.#position }, 'opened the directory from its store')
      if (dir.#entries.staleCount > 0) dir.#refresher?.start()
      return dir
    } catch (error) {
      await store.close()
      throw error
    }
  }

  // ---- local users -------------------------------------------------------

  /** Registers a local user, or updates its type and flags. */
  async registerLocalUser(userId: string, info: LocalUserInfo = {}): Promise<void> {
    await this.#turn()
    const id = this.#localUserId(userId)
    const before = this.#registry.get(id)
    const userType = info.userType === undefined ? (before?.userType ?? null) : info.userType
    if (userType !== null && typeof userType !== 'string') throw new UserDirectoryError('M_INVALID_PARAM', `userType must be a string or null, got ${describeValue(userType)}`)
    this.#updateLocalUser(id, {
      userType,
      deactivated: optionalBoolean(info.deactivated, 'deactivated') ?? before?.deactivated ?? false,
      locked: optionalBoolean(info.locked, 'locked') ?? before?.locked ?? false,
    })
  }

  /** Marks a registered local user deactivated (removed from the directory) or active again. */
  async setUserDeactivated(userId: string, deactivated: boolean): Promise<void> {
    await this.#turn()
    const id = this.#localUserId(userId)
    const before = this.#requireRegistered(id)
    this.#updateLocalUser(id, { ...before, deactivated: requiredBoolean(deactivated, 'deactivated') })
  }

  /** Locks or unlocks a registered local user (locked users are hidden from search unless `showLockedUsers`). */
  async setUserLocked(userId: string, locked: boolean): Promise<void> {
    await this.#turn()
    const id = this.#localUserId(userId)
    const before = this.#requireRegistered(id)
    this.#updateLocalUser(id, { ...before, locked: requiredBoolean(locked, 'locked') })
  }

  /** The homeserver deactivated a local user: same as `setUserDeactivated(userId, true)`; unknown users are ignored. */
  async handleLocalUserDeactivated(userId: string): Promise<void> {
    await this.#turn()
    const id = this.#localUserId(userId)
    const before = this.#registry.get(id)
    if (before === undefined) return
    this.#updateLocalUser(id, { ...before, deactivated: true })
  }

  /** A local user's global profile changed. Ignored for excluded users (support, deactivated, appservice, unknown). */
  async handleLocalProfileChange(userId: string, profile: { displayName?: unknown; avatarUrl?: unknown }): Promise<void> {
    await this.#turn()
    const id = this.#localUserId(userId)
    if (typeof profile !== 'object' || profile === null) throw new UserDirectoryError('M_INVALID_PARAM', 'profile must be an object')
    if (!this.#registry.isIncluded(id)) {
      this.#logger.debug({ userId: id }, 'ignoring profile change of a user excluded from the directory')
      return
    }
    const entry = { displayName: cleanProfileText(profile.displayName), avatarUrl: cleanProfileText(profile.avatarUrl) }
    this.#unit(() => this.#entries.set(id, entry))
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
    this.#assertOpen()
    await this.#turn()
    const { transactionId } = options
    let key: string | undefined
    if (transactionId !== undefined) {
      if (typeof transactionId !== 'string' || transactionId === '') throw new UserDirectoryError('M_INVALID_PARAM', 'transactionId must be a non-empty string')
      key = transactionKey(transactionId)
      if (this.#isApplied(key)) return { applied: 0, skipped: [], duplicate: true }
    }
    if (!Array.isArray(deltas)) throw new UserDirectoryError('M_INVALID_PARAM', 'deltas must be an array')
    const position = options.position
    if (position !== undefined && (typeof position !== 'number' || !Number.isSafeInteger(position))) {
      throw new UserDirectoryError('M_INVALID_PARAM', `position must be an integer, got ${describeValue(position)}`)
    }
    const report: IngestReport = { applied: 0, skipped: [] }
    // Checked first, applied after: a batch never stops halfway.
    const valid: ValidDelta[] = []
    for (let index = 0; index < deltas.length; index++) {
      try {
        valid.push(validateDelta(deltas[index]))
      } catch (error) {
        if (!(error instanceof UserDirectoryError)) throw error
        report.skipped.push({ index, errcode: error.errcode, message: error.message })
        this.#logger.warn({ index, err: error.message }, 'skipping malformed state delta')
      }
    }
    report.applied = valid.length
    return this.#unit(() => {
      for (const delta of valid) this.#applyDelta(delta)
      if (position !== undefined) {
        this.#journal.position(this.#position)
        this.#position = position
        this.#facts.touchPosition()
      }
      if (key !== undefined) {
        this.#pendingTransactions.push(key)
        this.#journal.transaction()
      }
      return report
    })
  }

  /** Whether a batch with this `transactionId` was applied (kept for the last 10,000 ids, in memory and in the store). */
  isTransactionApplied(transactionId: string): boolean {
    return this.#isApplied(transactionKey(transactionId))
  }

  #isApplied(key: string): boolean {
    return this.#transactions.has(key) || this.#pendingTransactions.includes(key)
  }

  #applyDelta(valid: ValidDelta): void {
    if (valid.kind === 'ignored') return
    let room = this.#rooms.get(valid.roomId)
    if (room === undefined) {
      this.#journal.room(valid.roomId, undefined)
      this.#rooms.set(valid.roomId, (room = emptyRoom()))
    }
    if (valid.kind === 'member') {
      this.#journal.member(valid.roomId, room, valid.userId)
      this.#facts.touchMember(valid.roomId, valid.userId)
    } else {
      this.#journal.room(valid.roomId, room)
      this.#facts.touchRoom(valid.roomId)
    }
    this.#handleChange(applyDelta(room, valid.roomId, valid, (u) => this.#registry.isLocal(u)))
    if (room.joined.size === 0 && room.joinRule === null && room.historyVisibility === null) {
      this.#journal.room(valid.roomId, room)
      this.#rooms.delete(valid.roomId)
    }
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
    if (this.#closed) return { ok: false, reason: 'the directory is closed' }
    if (this.#unwritable !== null) return { ok: false, reason: `the store cannot be written: ${this.#unwritable}` }
    return { ok: true, reason: null }
  }

  /** Counts for monitoring (cheap: no relation is materialised). */
  stats(): DirectoryStats {
    let joinedMemberships = 0
    for (const room of this.#rooms.values()) joinedMemberships += room.joined.size
    return {
      entries: this.#entries.size,
      localUsers: this.#registry.size,
      rooms: this.#rooms.size,
      roomsWithLocalUsers: this.#visibility.localMemberCounts.size,
      joinedMemberships,
      usersInPublicRooms: this.#visibility.publicRoomCounts.size,
      staleRemoteUsers: this.#entries.staleCount,
      indexedEntries: this.#index.size,
      streamPosition: this.#position,
    }
  }

  /** The stream position of the last batch applied, or null if none carried one. */
  streamPosition(): number | null {
    return this.#position
  }

  // ---- queries ------------------------------------------------------------

  /**
   * Searches the directory as `requesterId` (SPEC §3): the best `limit`
   * visible matches, and whether there were more. Spam checkers then run on
   * that page.
   */
  async search(requesterId: string, term: string, limit = 10, options: { explain?: boolean } = {}): Promise<SearchResults> {
    this.#assertOpen()
    const requester = parseUserId(requesterId)
    if (typeof term !== 'string') throw new UserDirectoryError('M_INVALID_PARAM', `search term must be a string, got ${typeof term}`)
    if (!Number.isSafeInteger(limit) || limit < 0) throw new UserDirectoryError('M_INVALID_PARAM', `limit must be a non-negative integer, got ${describeValue(limit)}`)
    if (!this.#options.enabled) return { limited: false, results: [] }
    const query = this.#parseQuery(term)
    const filter = this.#filter.reset(requester, this.#options, this.#index, this.#visibility)
    const page = this.#searcher.search(this.#index, query, limit, filter, this.#options.preferLocalUsers)
    const results: SearchResultItem[] = []
    for (const id of page.ids) {
      const user = this.#index.user(id) as IndexedUser
      const item: SearchResultItem = { user_id: user.userId, display_name: user.displayName, avatar_url: user.avatarUrl }
      if (options.explain === true) item.score = page.scores[id]
      results.push(item)
    }
    return { limited: page.total > limit, results: await dropSpam(results, this.#spamCheckers, requester) }
  }

  /**
   * Drops the cached rankings of the queries searched so far (see
   * `RankedList`), and with `pinned` those of the frequent prefixes too (see
   * `warmSearch`; they are ranked again by their next search, and kept only
   * after the next warm-up). Never needed for correct answers; benchmarks
   * call it to measure searches whose ranking is not cached yet.
   */
  clearSearchCache(options: { pinned?: boolean } = {}): void {
    if (options.pinned === true) {
      this.#warmer.cancel()
      this.#searcher.unpinAll()
    }
    this.#searcher.clearRankings()
    this.#queries.clear()
  }

  /**
   * Ranks the frequent one-lexeme queries ahead of their first search (see
   * the `warmSearch` option), in slices between other work, and resolves
   * when done. Joins a warm-up already running (one starts after `open()`
   * from a store and after `rebuild()`), else plans and runs a new one.
   */
  warmSearch(): Promise<SearchWarmReport> {
    this.#assertOpen()
    return this.#warmer.running ?? this.#warmer.warm()
  }

  // The query of a search term, from a small LRU of recent terms (parsing
  // runs ICU word breaking and PostgreSQL's parser: several µs).
  #parseQuery(term: string): SearchQuery {
    if (term.length > MAX_CACHED_TERM_LENGTH) return buildSearchQuery(parseQueryWords(term))
    let query = this.#queries.get(term)
    if (query !== undefined) {
      this.#queries.delete(term)
    } else {
      query = buildSearchQuery(parseQueryWords(term))
      if (this.#queries.size >= MAX_CACHED_QUERIES) this.#queries.delete(this.#queries.keys().next().value as string)
    }
    this.#queries.set(term, query)
    return query
  }

  /** The directory entry of a user, or null if they are not in the directory. */
  async getProfile(userId: string): Promise<{ display_name: string | null; avatar_url: string | null } | null> {
    const entry = this.#entries.get(parseUserId(userId))
    return entry === undefined ? null : { display_name: entry.displayName, avatar_url: entry.avatarUrl }
  }

  /** The Synapse tables, sorted (for tests and debugging; cost grows with the square of room sizes). */
  tables(): DirectoryTables {
    const users = new Map<string, { display_name: string | null; avatar_url: string | null }>()
    for (const [userId, entry] of [...this.#entries.entries()].sort(byFirst)) {
      users.set(userId, { display_name: entry.displayName, avatar_url: entry.avatarUrl })
    }
    const { inPublicRooms, sharePrivateRooms } = this.#visibility.relations()
    const staleRemoteUsers = [...this.#entries.staleEntries()]
      .sort(byFirst)
      .map(([userId, mark]) => ({ userId, nextTryAtMs: mark.nextTryAtMs, retryCounter: mark.retryCounter }))
    return { users, inPublicRooms: inPublicRooms.sort(compareTuples), sharePrivateRooms: sharePrivateRooms.sort(compareTuples), staleRemoteUsers }
  }

  // ---- import support (used by src/import; not part of API.md) -----------

  /** A value stored with `setMeta`, or `undefined`. Synchronous read. */
  getMeta(key: string): unknown {
    this.#assertOpen()
    if (this.#store === undefined) return this.#memoryMeta.get(key)
    return this.#store.getMeta(CALLER_META_PREFIX + key)
  }

  /**
   * Stores a small msgpack-able value under `key` (`null` deletes it),
   * committed with the current unit of work: on its own, or inside `batch()`
   * together with the batch's changes. Keys cannot reach the engine's own.
   */
  async setMeta(key: string, value: unknown): Promise<void> {
    this.#assertOpen()
    await this.#turn()
    if (typeof key !== 'string' || key === '') throw new UserDirectoryError('M_INVALID_PARAM', 'meta key must be a non-empty string')
    if (this.#store === undefined) {
      this.#unit(() => {
        this.#journal.memoryMeta(key, this.#memoryMeta.get(key))
        if (value === null || value === undefined) this.#memoryMeta.delete(key)
        else this.#memoryMeta.set(key, value)
      })
      return
    }
    this.#unit(() => {
      this.#facts.addMeta(CALLER_META_PREFIX + key, value)
      this.#journal.storeMeta()
    })
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
  async batch<T>(task: () => Promise<T>): Promise<T> {
    this.#assertOpen()
    const open = this.#openBatch
    if (open !== undefined && this.#batchScope.getStore() === open) {
      const mark = this.#journal.length
      try {
        return await task()
      } catch (error) {
        this.#rollback(mark)
        throw error
      }
    }
    await this.#turn()
    this.#assertOpen()
    let finish = (): void => undefined
    const batch = { done: new Promise<void>((resolve) => (finish = resolve)) }
    this.#openBatch = batch
    try {
      let result: T
      try {
        result = await this.#batchScope.run(batch, task)
      } catch (error) {
        this.#rollback(0)
        this.#facts.clear()
        this.#rebuildIndexAtCommit = false
        throw error
      }
      if (!this.#closed) this.#commit()
      return result
    } finally {
      this.#openBatch = undefined
      finish()
      this.#runDeferred()
    }
  }

  /** A registered local user's facts, or null if the homeserver never told us about them. */
  localUser(userId: string): LocalUser | null {
    const user = this.#registry.get(parseUserId(userId))
    return user === undefined ? null : { ...user }
  }

  /** Every registered local user id (unsorted). */
  localUserIds(): string[] {
    return [...this.#registry.entries()].map(([userId]) => userId)
  }

  /**
   * The tracked state of a room (a copy), or null if the directory knows
   * nothing of it: join rule, history visibility, and the joined members with
   * their member event's profile (null for local members).
   */
  roomState(roomId: string): RoomState | null {
    const room = this.#rooms.get(roomId as RoomId)
    if (room === undefined) return null
    return { joinRule: room.joinRule, historyVisibility: room.historyVisibility, joined: new Map(room.joined) }
  }

  /** Every room the directory tracks state for (unsorted). */
  roomIds(): string[] {
    return [...this.#rooms.keys()]
  }

  // ---- upkeep -------------------------------------------------------------

  /** Replaces the spam-checker callbacks. */
  setSpamCheckers(checkers: SpamChecker[]): void {
    if (!Array.isArray(checkers) || checkers.some((c) => typeof c !== 'function')) {
      throw new UserDirectoryError('M_INVALID_PARAM', 'spam checkers must be an array of functions')
    }
    this.#spamCheckers = [...checkers]
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
    this.#assertOpen()
    const open = this.#openBatch
    if (open !== undefined && this.#batchScope.getStore() === open) {
      this.#unit(() => {
        this.#rebuildFacts()
        this.#rebuildIndexAtCommit = true
      })
      return
    }
    await this.#turn()
    this.#assertOpen()
    let finish = (): void => undefined
    const hold = { done: new Promise<void>((resolve) => (finish = resolve)) }
    this.#openBatch = hold
    try {
      const plan = await planRebuild({ rooms: this.#rooms, registry: this.#registry, entries: this.#entries, newIndex: () => this.#newIndex(), check: () => this.#assertOpen() })
      this.#openBatch = undefined
      // From here to the swap, synchronous: nothing can run in between.
      this.#unit(() => {
        for (const userId of plan.adds) this.#entries.set(userId, { displayName: null, avatarUrl: null })
        for (const userId of plan.drops) this.#entries.delete(userId)
        for (const userId of plan.unmarks) this.#entries.clearStale(userId)
      })
      this.#visibility = plan.visibility
      this.#index = plan.index
      if (this.#options.warmSearch) void this.#warmer.warm()
      else this.#warmer.cancel()
    } catch (error) {
      this.#logger.error({ err: error }, 'rebuild failed: the directory is as before it')
      throw error
    } finally {
      if (this.#openBatch === hold) this.#openBatch = undefined
      finish()
      this.#runDeferred()
    }
    this.#logger.info({ entries: this.#entries.size, rooms: this.#rooms.size }, 'rebuilt the directory')
  }

  // Recounts visibility, drops entries no rule allows, and rebuilds the search index.
  #rebuildDerived(): void {
    this.#rebuildFacts()
    this.#rebuildIndex()
  }

  // Recounts visibility and fixes the entries to match (adds and drops).
  #rebuildFacts(): void {
    this.#visibility.recount()
    for (const [userId] of this.#registry.entries()) {
      if (this.#registry.isIncluded(userId)) {
        if (!this.#entries.has(userId)) this.#entries.set(userId, { displayName: null, avatarUrl: null })
      } else {
        this.#entries.delete(userId)
      }
    }
    for (const [userId] of [...this.#entries.entries()]) {
      const keep = this.#registry.isLocal(userId) ? this.#registry.isIncluded(userId) : this.#visibility.isRemoteHeld(userId)
      if (!keep) this.#entries.delete(userId)
    }
    for (const [userId] of [...this.#entries.staleEntries()]) {
      if (!this.#visibility.isRemoteHeld(userId)) this.#entries.clearStale(userId)
    }
  }

  // A new search index of every entry, and a warm-up of it.
  #rebuildIndex(): void {
    this.#index = this.#newIndex()
    for (const [userId, entry] of this.#entries.entries()) this.#indexEntry(userId, entry)
    if (this.#options.warmSearch) void this.#warmer.warm()
    else this.#warmer.cancel()
  }

  /** Releases timers and the store. The directory cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    if (this.#recheckTimer !== undefined) this.#clock.clearTimeout(this.#recheckTimer)
    this.#warmer.cancel()
    this.#refresher?.close()
    await this.#store?.close()
  }

  // ---- internals ------------------------------------------------------------

  #handleChange(change: RoomChange): void {
    if (change.kind === 'publicity') {
      this.#applyVisibility(this.#visibility.onPublicity(change.roomId, change.isPublic))
      return
    }
    if (change.kind !== 'membership') return
    const { roomId, userId } = change
    if (change.wasJoined !== change.isJoined) this.#applyVisibility(this.#visibility.onMembership(roomId, userId, change.isJoined ? 1 : -1))
    // Remote users' profiles come from their member events in public rooms
    // only; in private rooms the event may carry a per-room nickname, so the
    // user is marked stale and their global profile fetched later (SPEC §1).
    if (!change.isJoined || this.#registry.isLocal(userId) || !this.#visibility.isServerIn(roomId)) return
    const room = this.#rooms.get(roomId) as RoomState
    if (isRoomPublic(room)) {
      this.#entries.set(userId, change.profile)
    } else {
      this.#entries.markStale(userId, { nextTryAtMs: this.#clock.now() + STALE_REFRESH_DELAY_MS, retryCounter: 0 })
      this.#refresher?.onMarkedStale(serverNameOf(userId))
    }
  }

  #updateLocalUser(userId: UserId, user: LocalUser): void {
    this.#unit(() => {
      const wasIncluded = this.#registry.isIncluded(userId)
      this.#journal.user(userId, this.#registry.get(userId))
      this.#registry.set(userId, user)
      this.#flagsToSet.add(userId)
      this.#facts.touchUser(userId)
      const isIncluded = this.#registry.isIncluded(userId)
      if (wasIncluded !== isIncluded) {
        this.#applyVisibility(this.#visibility.onInclusion(userId, isIncluded))
        if (isIncluded) this.#entries.set(userId, { displayName: null, avatarUrl: null })
        else this.#entries.delete(userId)
      }
    })
  }

  // What a visibility update changed: entries of users no room holds any
  // more go now; search bits are set when the unit commits.
  #applyVisibility(change: VisibilityChange): void {
    for (const userId of change.dropped) this.#entries.delete(userId)
    for (const userId of change.publicFlips) this.#flagsToSet.add(userId)
  }

  // A change of the profile refresher: its own unit of work, after any batch
  // in progress (never part of it); ignored once closed.
  #background(change: () => void): void {
    if (this.#closed) return
    if (this.#openBatch !== undefined) {
      this.#deferred.push(change)
      return
    }
    this.#unit(change)
  }

  #runDeferred(): void {
    for (const change of this.#deferred.splice(0)) {
      try {
        this.#background(change)
      } catch (error) {
        // The refresher will find the user still due and try again.
        this.#logger.warn({ err: error }, 'a deferred profile refresh could not be stored')
      }
    }
  }

  // Waits while a batch opened elsewhere is in progress; no wait (not even
  // a tick) otherwise, or inside the batch.
  #turn(): Promise<void> | undefined {
    const open = this.#openBatch
    if (open === undefined || this.#batchScope.getStore() === open) return undefined
    return (async () => {
      while (this.#openBatch !== undefined && this.#batchScope.getStore() !== this.#openBatch) await this.#openBatch.done
    })()
  }

  // Runs one unit of work: `change` mutates memory (each replaced fact
  // journaled), then the unit commits, unless it is part of an open batch
  // (the batch commits). If `change` throws or the commit fails, memory is
  // put back as it was before the unit and the error is rethrown.
  #unit<T>(change: () => T): T {
    this.#assertOpen()
    const mark = this.#journal.length
    let result: T
    try {
      result = change()
    } catch (error) {
      this.#rollback(mark)
      throw error
    }
    if (this.#openBatch === undefined) this.#commit()
    return result
  }

  // Ends a unit of work: writes the facts it changed, its position and its
  // transaction ids to the store in one transaction, then brings the search
  // index up to date. If the store refuses the write, the unit is undone in
  // memory (no reload) and the error rethrown.
  #commit(): void {
    const changed = this.#entries.drainChanged()
    const transactions = this.#pendingTransactions
    if (this.#store === undefined) {
      this.#facts.clear()
    } else {
      try {
        const batch = this.#facts.takeBatch({ rooms: this.#rooms, registry: this.#registry, entries: this.#entries }, changed, this.#position)
        if (transactions.length > 0) batch.meta = [...(batch.meta ?? []), ...this.#transactions.writesFor(transactions)]
        this.#store.commit(batch)
      } catch (error) {
        this.#facts.clear()
        this.#rollback(0)
        this.#rebuildIndexAtCommit = false
        if (error instanceof UserDirectoryError) {
          this.#logger.error({ err: error }, 'store commit failed: the unit of work was undone in memory and nothing of it was stored')
          this.#markUnwritable('the last commit failed')
        }
        throw error
      }
      if (this.#unwritable !== null) this.#markWritable()
    }
    this.#journal.clear()
    this.#pendingTransactions = []
    this.#transactions.confirm(transactions)
    if (this.#rebuildIndexAtCommit) {
      this.#rebuildIndexAtCommit = false
      this.#flagsToSet.clear()
      this.#rebuildIndex()
      return
    }
    for (const userId of changed.entries) {
      const entry = this.#entries.get(userId)
      if (entry === undefined) this.#index.remove(userId)
      else this.#indexEntry(userId, entry)
    }
    // The one place the search bits follow the facts (besides indexing an entry whole).
    for (const userId of this.#flagsToSet) {
      this.#index.setFlag(userId, EntryFlag.Locked, this.#registry.isLocked(userId))
      this.#index.setFlag(userId, EntryFlag.InPublicRoom, this.#visibility.isInPublicRoom(userId))
    }
    this.#flagsToSet.clear()
    if (this.#options.warmSearch && changed.entries.length > 0) this.#warmer.noteChange()
  }

  // Undoes the journaled changes after `mark`, newest first, then repairs
  // what derives from the facts put back: the visibility counters of the
  // touched keys only (no reload). The search bits change only at commit:
  // the flips the repair returns join `#flagsToSet` like any update's.
  #rollback(mark: number): void {
    const steps = this.#journal.takeSince(mark)
    if (steps.length === 0) return
    const rooms = new Map<RoomId, { serverIn: boolean; isPublic: boolean }>()
    for (const step of steps) {
      if ((step.kind === 'room' || step.kind === 'member') && !rooms.has(step.roomId)) {
        const room = this.#rooms.get(step.roomId)
        rooms.set(step.roomId, { serverIn: this.#visibility.isServerIn(step.roomId), isPublic: room !== undefined && isRoomPublic(room) })
      }
    }
    const members: [RoomId, UserId][] = []
    const users: UserId[] = []
    for (const step of steps) this.#undo(step, members, users)
    this.#applyVisibility(this.#visibility.repair(members, rooms, users))
  }

  #undo(step: UndoStep, members: [RoomId, UserId][], users: UserId[]): void {
    switch (step.kind) {
      case 'room':
        if (step.room === undefined) {
          this.#rooms.delete(step.roomId)
        } else {
          step.room.joinRule = step.joinRule
          step.room.historyVisibility = step.historyVisibility
          this.#rooms.set(step.roomId, step.room)
        }
        return
      case 'member':
        if (step.prior === undefined) step.room.joined.delete(step.userId)
        else step.room.joined.set(step.userId, step.prior)
        members.push([step.roomId, step.userId])
        return
      case 'user':
        if (step.prior === undefined) this.#registry.delete(step.userId)
        else this.#registry.set(step.userId, step.prior)
        users.push(step.userId)
        return
      case 'entry':
        this.#entries.restoreEntry(step.userId, step.prior)
        return
      case 'stale':
        this.#entries.restoreStale(step.userId, step.prior)
        return
      case 'position':
        this.#position = step.prior
        return
      case 'memoryMeta':
        if (step.prior === undefined) this.#memoryMeta.delete(step.key)
        else this.#memoryMeta.set(step.key, step.prior)
        return
      case 'transaction':
        this.#pendingTransactions.pop()
        return
      case 'storeMeta':
        this.#facts.popMeta()
    }
  }

  #markUnwritable(reason: string): void {
    this.#unwritable = reason
    if (this.#recheckTimer === undefined) this.#scheduleRecheck()
  }

  #markWritable(): void {
    this.#logger.info({ was: this.#unwritable }, 'the store can be written again')
    this.#unwritable = null
    if (this.#recheckTimer !== undefined) this.#clock.clearTimeout(this.#recheckTimer)
    this.#recheckTimer = undefined
  }

  // Checks the store again later, and again until it can be written.
  #scheduleRecheck(): void {
    this.#recheckTimer = this.#clock.setTimeout(() => {
      this.#recheckTimer = undefined
      const store = this.#store
      if (this.#closed || store === undefined || this.#unwritable === null) return
      store.recheck().then(
        (reason) => {
          if (this.#closed || this.#unwritable === null) return
          if (reason === null) this.#markWritable()
          else {
            this.#logger.warn({ reason }, 'the store still cannot be written')
            this.#scheduleRecheck()
          }
        },
        (error: unknown) => {
          this.#logger.error({ err: error }, 'checking whether the store can be written failed')
          if (!this.#closed) this.#scheduleRecheck()
        },
      )
    }, STORE_RECHECK_MS)
  }

  // Replaces every in-memory fact with the store's and rebuilds what derives from them (at open).
  #loadFromStore(): void {
    const store = this.#store
    if (store === undefined) return
    this.#position = loadFacts(store.load(), { rooms: this.#rooms, registry: this.#registry, entries: this.#entries })
    this.#facts.clear()
    this.#rebuildDerived()
    // Entries the rebuild fixed are stored with the next commit; they are not a unit to undo.
    this.#journal.clear()
  }

  // The stored transaction window; ids beyond it (stores written before
  // there was one kept every id) are deleted.
  #loadTransactions(store: DirectoryStore): void {
    const beyond = this.#transactions.load(store.metaEntries(TRANSACTION_KEY_PREFIX))
    if (beyond.length === 0) return
    try {
      store.commit({ rooms: [], members: [], localUsers: [], entries: [], stale: [], meta: beyond.map((key): [string, unknown] => [key, null]) })
      this.#logger.info({ deleted: beyond.length }, 'deleted stored transaction ids beyond the window')
    } catch (error) {
      this.#logger.warn({ err: error, beyond: beyond.length }, 'could not delete stored transaction ids beyond the window; trying again at the next open')
    }
  }

  #newIndex(): SearchIndex {
    return new SearchIndex({ accentInsensitive: this.#options.accentInsensitive, infixMatch: this.#options.infixMatch })
  }

  #indexEntry(userId: UserId, entry: Profile): void {
    const flags = (this.#registry.isLocked(userId) ? EntryFlag.Locked : 0) | (this.#visibility.isInPublicRoom(userId) ? EntryFlag.InPublicRoom : 0)
    this.#index.upsert({ userId, localpart: localpartOf(userId), serverName: serverNameOf(userId), displayName: entry.displayName, avatarUrl: entry.avatarUrl, isLocal: this.#registry.isLocal(userId), flags })
  }

  #localUserId(userId: string): UserId {
    const id = parseUserId(userId)
    if (!this.#registry.isLocal(id)) throw new UserDirectoryError('M_INVALID_PARAM', `${id} is not a local user of ${this.serverName}`)
    return id
  }

  #requireRegistered(userId: UserId): LocalUser {
    const user = this.#registry.get(userId)
    if (user === undefined) throw new UserDirectoryError('M_NOT_FOUND', `${userId} is not registered; call registerLocalUser first`)
    return user
  }

  #assertOpen(): void {
    if (this.#closed) throw new UserDirectoryError('M_UNKNOWN', 'the directory is closed')
  }
}

function byFirst(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return 0
}
