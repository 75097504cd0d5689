import { AsyncLocalStorage } from 'node:async_hooks'
import type { Logger } from 'pino'
import { UserDirectoryError } from '../errors.js'
import type { RoomId, ServerName, UserId } from '../ids/index.js'
import { DirectoryEntries } from '../profiles/index.js'
import { isRoomPublic } from '../rooms/index.js'
import type { RoomState } from '../rooms/index.js'
import { RoomVisibility, UserRegistry } from '../visibility/index.js'
import type { AppserviceRegistration } from '../visibility/index.js'
// From types.js, not the folder's face: the face re-exports the LMDB code, and lmdb's own .d.ts does not compile in a strict ESM consumer.
import type { DirectoryStore } from '../store/types.js'
import type { Clock } from './options.js'
import { FactLog, loadFacts } from './fact-log.js'
import type { Facts } from './fact-log.js'
import { Journal } from './journal.js'
import type { UndoStep } from './journal.js'
import { TRANSACTION_KEY_PREFIX, TRANSACTION_WINDOW, TransactionWindow, transactionKey } from './transaction-window.js'

const CALLER_META_PREFIX = 'ext:'
/** While the store cannot be written, it is checked again this often. */
export const STORE_RECHECK_MS = 30_000

/**
 * The facts a unit of work changes. `visibility` derives from the others
 * and is replaced by a sliced rebuild.
 * @internal
 */
export interface DirectoryFacts extends Facts {
  visibility: RoomVisibility
}

/** The facts of an empty directory. @internal */
export function createFacts(serverName: ServerName, appservices: AppserviceRegistration[]): DirectoryFacts {
  const registry = new UserRegistry(serverName, appservices)
  const rooms = new Map<RoomId, RoomState>()
  return { rooms, registry, entries: new DirectoryEntries(), visibility: new RoomVisibility(rooms, registry) }
}

/**
 * What the search side hears from the unit of work.
 * @internal
 */
export interface CommitListener {
  /** A unit committed: the entries it set or deleted; `rebuildIndex` when a `rebuild()` inside it asked for a new index. */
  committed(changedEntries: readonly UserId[], rebuildIndex: boolean): void
  /** These users' lock or public-room membership may have changed (a unit was undone): their search bits follow the facts at the next commit. */
  noteFlags(users: Iterable<UserId>): void
}

/**
 * The unit of work of a directory: every change to the facts runs inside
 * one (`unit`, or several calls inside `batch`), and commits memory and
 * store together or not at all. Owns the fact log (what to write), the undo
 * journal (what to put back), the open batch and the turn others wait for,
 * the stream position, the transaction-id window, caller meta values, and
 * the store's writability (rechecked every `STORE_RECHECK_MS` while it
 * cannot be written). Loads the facts and the transaction window from the
 * store at open.
 * @internal
 */
export class UnitOfWork {
  /** The stream position of the last batch that carried one. */
  position: number | null = null
  /** Set by `rebuild()` inside a batch: the search index is rebuilt when the unit commits. */
  rebuildIndexAtCommit = false
  // The last TRANSACTION_WINDOW applied transaction ids (keys), oldest first.
  readonly #transactions = new TransactionWindow(TRANSACTION_WINDOW)
  // Transaction keys of the unit of work in progress: remembered once it commits.
  #pendingTransactions: string[] = []
  #closed = false
  readonly #store: DirectoryStore
  readonly #state: DirectoryFacts
  readonly #listener: CommitListener
  readonly #clock: Clock
  readonly #logger: Logger
  // Facts changed since the last commit, written to the store in one transaction.
  readonly #facts = new FactLog()
  // What the unit of work in progress replaced, to undo it if it fails.
  readonly #journal = new Journal()
  // The open `batch()`, if any: units inside it commit with it; calls from
  // outside it wait for it to end (`turn`).
  #openBatch: { done: Promise<void> } | undefined
  readonly #batchScope = new AsyncLocalStorage<{ done: Promise<void> }>()
  // Background changes (profile refreshes) that arrived while a batch was open.
  readonly #deferred: (() => void)[] = []
  // Why the store cannot be written now (read-only, last commit failed), or null; see health().
  #unwritable: string | null = null
  #recheckTimer: unknown

  constructor(state: DirectoryFacts, store: DirectoryStore, listener: CommitListener, clock: Clock, logger: Logger) {
    this.#state = state
    this.#store = store
    this.#listener = listener
    this.#clock = clock
    this.#logger = logger
    state.entries.journal = this.#journal
  }

  /** The undo journal of the unit in progress (changes record what they replace). */
  get journal(): Journal {
    return this.#journal
  }

  /** The keys the unit in progress touched (changes mark what the store must write). */
  get factLog(): FactLog {
    return this.#facts
  }

  get closed(): boolean {
    return this.#closed
  }

  /**
   * Whether the directory can take writes: `ok: false` with a short reason
   * (no paths) while it is closed, or while its store cannot be written (it
   * was opened read-only, or the last commit failed); the log has the
   * details. A store in that state is checked again every 30 s
   * (`STORE_RECHECK_MS`; a read-only one is reopened read-write once its
   * files are writable, then a probe record is written), and `ok` comes
   * back as soon as a check or a commit succeeds.
   */
  health(): { ok: boolean; reason: string | null } {
    if (this.#closed) return { ok: false, reason: 'the directory is closed' }
    if (this.#unwritable !== null) return { ok: false, reason: `the store cannot be written: ${this.#unwritable}` }
    return { ok: true, reason: null }
  }

  assertOpen(): void {
    if (this.#closed) throw new UserDirectoryError('M_UNKNOWN', 'the directory is closed')
  }

  /** Stops the recheck timer; nothing can be committed afterwards. */
  close(): void {
    this.#closed = true
    if (this.#recheckTimer !== undefined) this.#clock.clearTimeout(this.#recheckTimer)
  }

  async closeStore(): Promise<void> {
    await this.#store.close()
  }

  // ---- the unit in progress ---------------------------------------------

  /** Sets the stream position, as part of the unit in progress. */
  setPosition(position: number): void {
    this.#journal.position(this.position)
    this.position = position
    this.#facts.touchPosition()
  }

  /** Remembers a transaction key once the unit in progress commits. */
  addTransaction(key: string): void {
    this.#pendingTransactions.push(key)
    this.#journal.transaction()
  }

  /** Whether a batch with this `transactionId` was applied (kept for the last 10,000 ids, in memory and in the store). */
  isTransactionApplied(transactionId: string): boolean {
    return this.isApplied(transactionKey(transactionId))
  }

  /** Whether a transaction key was applied, or is part of the unit in progress. */
  isApplied(key: string): boolean {
    return this.#transactions.has(key) || this.#pendingTransactions.includes(key)
  }

  /** A value stored with `setMeta`, or `undefined`. Synchronous read. */
  getMeta(key: string): unknown {
    this.assertOpen()
    return this.#store.getMeta(CALLER_META_PREFIX + key)
  }

  /**
   * Stores a small msgpack-able value under `key` (`null` deletes it),
   * committed with the current unit of work: on its own, or inside `batch()`
   * together with the batch's changes. Keys cannot reach the engine's own.
   */
  async setMeta(key: string, value: unknown): Promise<void> {
    this.assertOpen()
    await this.turn()
    if (typeof key !== 'string' || key === '') throw new UserDirectoryError('M_INVALID_PARAM', 'meta key must be a non-empty string')
    this.unit(() => {
      this.#facts.addMeta(CALLER_META_PREFIX + key, value)
      this.#journal.storeMeta()
    })
  }

  // ---- turns, units and batches -----------------------------------------

  /** Whether the caller runs inside the open batch. */
  inBatch(): boolean {
    const open = this.#openBatch
    return open !== undefined && this.#batchScope.getStore() === open
  }

  // Waits while a batch opened elsewhere is in progress; no wait (not even
  // a tick) otherwise, or inside the batch.
  turn(): Promise<void> | undefined {
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
  unit<T>(change: () => T): T {
    this.assertOpen()
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
    this.assertOpen()
    if (this.inBatch()) {
      const mark = this.#journal.length
      try {
        return await task()
      } catch (error) {
        this.#rollback(mark)
        throw error
      }
    }
    await this.turn()
    this.assertOpen()
    const { hold: batch, release } = this.#hold()
    try {
      let result: T
      try {
        result = await this.#batchScope.run(batch, task)
      } catch (error) {
        this.#rollback(0)
        this.#facts.clear()
        this.rebuildIndexAtCommit = false
        throw error
      }
      if (!this.#closed) this.#commit()
      return result
    } finally {
      this.#openBatch = undefined
      release()
    }
  }

  /**
   * Holds the turn as a batch does (others wait, background changes are
   * deferred) while `prepare` runs, outside any unit; then runs `apply`
   * synchronously, its units committing at once, before anyone else runs.
   * The sliced rebuild runs this way.
   */
  async exclusive<T>(prepare: () => Promise<T>, apply: (prepared: T) => void): Promise<void> {
    await this.turn()
    this.assertOpen()
    const { hold, release } = this.#hold()
    try {
      const prepared = await prepare()
      this.#openBatch = undefined
      apply(prepared)
    } finally {
      if (this.#openBatch === hold) this.#openBatch = undefined
      release()
    }
  }

  // Opens a hold others wait for (the caller has its turn). The caller
  // clears `#openBatch`, then `release` lets the waiters run and runs the
  // background changes deferred meanwhile.
  #hold(): { hold: { done: Promise<void> }; release: () => void } {
    let finish = (): void => undefined
    const hold = { done: new Promise<void>((resolve) => (finish = resolve)) }
    this.#openBatch = hold
    return {
      hold,
      release: () => {
        finish()
        this.#runDeferred()
      },
    }
  }

  // A change of the profile refresher: its own unit of work, after any batch
  // in progress (never part of it); ignored once closed.
  background(change: () => void): void {
    if (this.#closed) return
    if (this.#openBatch !== undefined) {
      this.#deferred.push(change)
      return
    }
    this.unit(change)
  }

  #runDeferred(): void {
    for (const change of this.#deferred.splice(0)) {
      try {
        this.background(change)
      } catch (error) {
        // The refresher will find the user still due and try again.
        this.#logger.warn({ err: error }, 'a deferred profile refresh could not be stored')
      }
    }
  }

  // Ends a unit of work: writes the facts it changed, its position and its
  // transaction ids to the store in one transaction, then brings the search
  // index up to date. If the store refuses the write, the unit is undone in
  // memory (no reload) and the error rethrown.
  #commit(): void {
    const state = this.#state
    const changed = state.entries.drainChanged()
    const transactions = this.#pendingTransactions
    try {
      const batch = this.#facts.takeBatch(state, changed, this.position)
      if (transactions.length > 0) batch.meta = [...(batch.meta ?? []), ...this.#transactions.writesFor(transactions)]
      this.#store.commit(batch)
    } catch (error) {
      this.#facts.clear()
      this.#rollback(0)
      this.rebuildIndexAtCommit = false
      if (error instanceof UserDirectoryError) {
        this.#logger.error({ err: error }, 'store commit failed: the unit of work was undone in memory and nothing of it was stored')
        this.markUnwritable('the last commit failed')
      }
      throw error
    }
    if (this.#unwritable !== null) this.#markWritable()
    this.#journal.clear()
    this.#pendingTransactions = []
    this.#transactions.confirm(transactions)
    const rebuildIndex = this.rebuildIndexAtCommit
    this.rebuildIndexAtCommit = false
    this.#listener.committed(changed.entries, rebuildIndex)
  }

  // Undoes the journaled changes after `mark`, newest first, then repairs
  // what derives from the facts put back: the visibility counters of the
  // touched keys only (no reload). The search bits change only at commit:
  // the flips the repair returns are noted like any update's.
  #rollback(mark: number): void {
    const steps = this.#journal.takeSince(mark)
    if (steps.length === 0) return
    const rooms = new Map<RoomId, { serverIn: boolean; isPublic: boolean }>()
    for (const step of steps) {
      if ((step.kind === 'room' || step.kind === 'member') && !rooms.has(step.roomId)) {
        const room = this.#state.rooms.get(step.roomId)
        rooms.set(step.roomId, { serverIn: this.#state.visibility.isServerIn(step.roomId), isPublic: room !== undefined && isRoomPublic(room) })
      }
    }
    const members: [RoomId, UserId][] = []
    const users: UserId[] = []
    for (const step of steps) this.#undo(step, members, users)
    this.#listener.noteFlags(this.#state.visibility.repair(members, rooms, users).publicFlips)
  }

  #undo(step: UndoStep, members: [RoomId, UserId][], users: UserId[]): void {
    switch (step.kind) {
      case 'room':
        if (step.room === undefined) {
          this.#state.rooms.delete(step.roomId)
        } else {
          step.room.joinRule = step.joinRule
          step.room.historyVisibility = step.historyVisibility
          this.#state.rooms.set(step.roomId, step.room)
        }
        return
      case 'member':
        if (step.prior === undefined) step.room.joined.delete(step.userId)
        else step.room.joined.set(step.userId, step.prior)
        members.push([step.roomId, step.userId])
        return
      case 'user':
        if (step.prior === undefined) this.#state.registry.delete(step.userId)
        else this.#state.registry.set(step.userId, step.prior)
        users.push(step.userId)
        return
      case 'entry':
        this.#state.entries.restoreEntry(step.userId, step.prior)
        return
      case 'stale':
        this.#state.entries.restoreStale(step.userId, step.prior)
        return
      case 'position':
        this.position = step.prior
        return
      case 'transaction':
        this.#pendingTransactions.pop()
        return
      case 'storeMeta':
        this.#facts.popMeta()
    }
  }

  // ---- the store's writability ------------------------------------------

  /** The store cannot be written (read-only, or a commit failed): health() says why until a recheck or a commit succeeds. */
  markUnwritable(reason: string): void {
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
      if (this.#closed || this.#unwritable === null) return
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

  // ---- loading ------------------------------------------------------------

  /**
   * At open on a store: its facts, then `rebuild` (what derives from them),
   * then its transaction window; then the store's pages are released and a
   * read-only store marks the directory unwritable.
   */
  async open(store: DirectoryStore, rebuild: () => void): Promise<void> {
    this.#loadFromStore(rebuild)
    this.#loadTransactions(store)
    await store.releaseMappedPages()
    if (store.notWritableBecause !== null) this.markUnwritable('the store is read-only')
  }

  // Adopts the store's loaded facts in place of the in-memory ones (a
  // MemoryStore's containers become the directory's: see loadFacts), then
  // runs `rebuild` (what derives from them).
  #loadFromStore(rebuild: () => void): void {
    this.position = loadFacts(this.#store.load(), this.#state)
    this.#facts.clear()
    rebuild()
    // Entries the rebuild fixed are stored with the next commit (a
    // MemoryStore's shared containers hold them already: a rebuild of the
    // same facts fixes the same entries); they are not a unit to undo.
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
}
