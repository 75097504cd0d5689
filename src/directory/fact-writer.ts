import type { Logger } from 'pino'
import { UserDirectoryError } from '../errors.js'
import { serverNameOf } from '../ids/index.js'
import type { ServerName, UserId } from '../ids/index.js'
import { applyDelta, cleanProfileText, emptyRoom, isRoomPublic } from '../rooms/index.js'
import type { RoomChange, RoomState, ValidDelta } from '../rooms/index.js'
import { STALE_REFRESH_DELAY_MS } from '../profiles/index.js'
import type { ProfileRefresher } from '../profiles/index.js'
import type { LocalUser, VisibilityChange } from '../visibility/index.js'
import { checkDeltas, ingestTransactionKey, localUserId, registeredUser, requireRegistered, requiredBoolean } from './arguments.js'
import type { Clock } from './options.js'
import type { IngestOptions, IngestReport, LocalUserInfo } from './types.js'
import type { DirectoryFacts, UnitOfWork } from './unit-of-work.js'
import type { DirectorySearch } from './directory-search.js'

/**
 * The changes to the facts, each checked then made as a unit of work (or
 * inside the open batch): the local-user calls and `ingest` of
 * `UserDirectory` (called once it has its turn), a state delta applied to
 * its room (and what the room change means for visibility, entries and
 * stale marks), a local user's facts replaced. Each replaced fact is
 * journaled (to undo) and logged (to store).
 * @internal
 */
export class FactWriter {
  readonly #facts: DirectoryFacts
  readonly #work: UnitOfWork
  readonly #search: DirectorySearch
  readonly #clock: Clock
  readonly #refresher: () => ProfileRefresher | undefined
  readonly #serverName: ServerName
  readonly #logger: Logger

  constructor(facts: DirectoryFacts, work: UnitOfWork, search: DirectorySearch, clock: Clock, refresher: () => ProfileRefresher | undefined, serverName: ServerName, logger: Logger) {
    this.#serverName = serverName
    this.#logger = logger
    this.#facts = facts
    this.#work = work
    this.#search = search
    this.#clock = clock
    this.#refresher = refresher
  }

  // ---- local users -------------------------------------------------------

  registerLocalUser(userId: string, info: LocalUserInfo): void {
    const id = this.#localUserId(userId)
    this.updateLocalUser(id, registeredUser(this.#facts.registry.get(id), info))
  }

  setUserDeactivated(userId: string, deactivated: boolean): void {
    const id = this.#localUserId(userId)
    const before = requireRegistered(this.#facts.registry, id)
    this.updateLocalUser(id, { ...before, deactivated: requiredBoolean(deactivated, 'deactivated') })
  }

  setUserLocked(userId: string, locked: boolean): void {
    const id = this.#localUserId(userId)
    const before = requireRegistered(this.#facts.registry, id)
    this.updateLocalUser(id, { ...before, locked: requiredBoolean(locked, 'locked') })
  }

  handleLocalUserDeactivated(userId: string): void {
    const id = this.#localUserId(userId)
    const before = this.#facts.registry.get(id)
    if (before === undefined) return
    this.updateLocalUser(id, { ...before, deactivated: true })
  }

  handleLocalProfileChange(userId: string, profile: { displayName?: unknown; avatarUrl?: unknown }): void {
    const id = this.#localUserId(userId)
    if (typeof profile !== 'object' || profile === null) throw new UserDirectoryError('M_INVALID_PARAM', 'profile must be an object')
    if (!this.#facts.registry.isIncluded(id)) {
      this.#logger.debug({ userId: id }, 'ignoring profile change of a user excluded from the directory')
      return
    }
    const entry = { displayName: cleanProfileText(profile.displayName), avatarUrl: cleanProfileText(profile.avatarUrl) }
    this.#work.unit(() => this.#facts.entries.set(id, entry))
  }

  #localUserId(userId: string): UserId {
    return localUserId(this.#facts.registry, this.#serverName, userId)
  }

  // ---- the room state stream -------------------------------------------

  /** See `UserDirectory.ingest`. */
  ingest(deltas: unknown, options: IngestOptions): IngestReport {
    const key = ingestTransactionKey(options.transactionId)
    if (key !== undefined && this.#work.isApplied(key)) return { applied: 0, skipped: [], duplicate: true }
    const { valid, position, report } = checkDeltas(deltas, options.position, this.#logger)
    return this.#work.unit(() => {
      for (const delta of valid) this.applyDelta(delta)
      if (position !== undefined) this.#work.setPosition(position)
      if (key !== undefined) this.#work.addTransaction(key)
      return report
    })
  }

  applyDelta(valid: ValidDelta): void {
    if (valid.kind === 'ignored') return
    const rooms = this.#facts.rooms
    const journal = this.#work.journal
    let room = rooms.get(valid.roomId)
    if (room === undefined) {
      journal.room(valid.roomId, undefined)
      rooms.set(valid.roomId, (room = emptyRoom()))
    }
    if (valid.kind === 'member') {
      journal.member(valid.roomId, room, valid.userId)
      this.#work.factLog.touchMember(valid.roomId, valid.userId)
    } else {
      journal.room(valid.roomId, room)
      this.#work.factLog.touchRoom(valid.roomId)
    }
    this.#handleChange(applyDelta(room, valid.roomId, valid, (u) => this.#facts.registry.isLocal(u)))
    if (room.joined.size === 0 && room.joinRule === null && room.historyVisibility === null) {
      journal.room(valid.roomId, room)
      rooms.delete(valid.roomId)
    }
  }

  #handleChange(change: RoomChange): void {
    const { visibility, entries } = this.#facts
    if (change.kind === 'publicity') {
      this.#applyVisibility(visibility.onPublicity(change.roomId, change.isPublic))
      return
    }
    if (change.kind !== 'membership') return
    const { roomId, userId } = change
    if (change.wasJoined !== change.isJoined) this.#applyVisibility(visibility.onMembership(roomId, userId, change.isJoined ? 1 : -1))
    // Remote users' profiles come from their member events in public rooms
    // only; in private rooms the event may carry a per-room nickname, so the
    // user is marked stale and their global profile fetched later (SPEC §1).
    if (!change.isJoined || this.#facts.registry.isLocal(userId) || !visibility.isServerIn(roomId)) return
    const room = this.#facts.rooms.get(roomId) as RoomState
    if (isRoomPublic(room)) {
      entries.set(userId, change.profile)
    } else {
      entries.markStale(userId, { nextTryAtMs: this.#clock.now() + STALE_REFRESH_DELAY_MS, retryCounter: 0 })
      this.#refresher()?.onMarkedStale(serverNameOf(userId))
    }
  }

  /** Replaces a local user's facts, as one unit of work. */
  updateLocalUser(userId: UserId, user: LocalUser): void {
    const { registry, entries } = this.#facts
    this.#work.unit(() => {
      const wasIncluded = registry.isIncluded(userId)
      this.#work.journal.user(userId, registry.get(userId))
      registry.set(userId, user)
      this.#search.noteFlags([userId])
      this.#work.factLog.touchUser(userId)
      const isIncluded = registry.isIncluded(userId)
      if (wasIncluded !== isIncluded) {
        this.#applyVisibility(this.#facts.visibility.onInclusion(userId, isIncluded))
        if (isIncluded) entries.set(userId, { displayName: null, avatarUrl: null })
        else entries.delete(userId)
      }
    })
  }

  // What a visibility update changed: entries of users no room holds any
  // more go now (journaled like any entry change); search bits are set when
  // the unit commits.
  #applyVisibility(change: VisibilityChange): void {
    for (const userId of change.dropped) this.#facts.entries.delete(userId)
    if (change.publicFlips.length > 0) this.#search.noteFlags(change.publicFlips)
  }
}
