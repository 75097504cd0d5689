import { serverNameOf } from '../ids/index.js'
import type { UserId } from '../ids/index.js'
import { applyDelta, emptyRoom, isRoomPublic } from '../rooms/index.js'
import type { RoomChange, RoomState, ValidDelta } from '../rooms/index.js'
import { STALE_REFRESH_DELAY_MS } from '../profiles/index.js'
import type { ProfileRefresher } from '../profiles/index.js'
import type { LocalUser } from '../visibility/index.js'
import type { Clock } from './options.js'
import type { DirectoryFacts, UnitOfWork } from './unit-of-work.js'
import type { DirectorySearch } from './directory-search.js'

/**
 * The changes to the facts, made inside the unit of work in progress: a
 * state delta applied to its room (and what the room change means for
 * visibility, entries and stale marks), a local user's facts replaced.
 * Each replaced fact is journaled (to undo) and logged (to store).
 * @internal
 */
export class FactWriter {
  readonly #facts: DirectoryFacts
  readonly #work: UnitOfWork
  readonly #search: DirectorySearch
  readonly #clock: Clock
  readonly #refresher: () => ProfileRefresher | undefined

  constructor(facts: DirectoryFacts, work: UnitOfWork, search: DirectorySearch, clock: Clock, refresher: () => ProfileRefresher | undefined) {
    this.#facts = facts
    this.#work = work
    this.#search = search
    this.#clock = clock
    this.#refresher = refresher
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
      visibility.onPublicity(change.roomId, change.isPublic)
      return
    }
    if (change.kind !== 'membership') return
    const { roomId, userId } = change
    if (change.wasJoined !== change.isJoined) {
      const dropped: UserId[] = []
      visibility.onMembership(roomId, userId, change.isJoined ? 1 : -1, dropped)
      for (const user of dropped) entries.delete(user)
    }
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
      this.#search.setLocked(userId, user.locked)
      this.#work.factLog.touchUser(userId)
      const isIncluded = registry.isIncluded(userId)
      if (wasIncluded !== isIncluded) {
        this.#facts.visibility.onInclusion(userId, isIncluded)
        if (isIncluded) entries.set(userId, { displayName: null, avatarUrl: null })
        else entries.delete(userId)
      }
    })
  }
}
