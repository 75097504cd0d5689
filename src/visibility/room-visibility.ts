import type { RoomId, UserId } from '../ids/index.js'
import type { RoomState } from '../rooms/index.js'
import { isRoomPublic } from '../rooms/index.js'
import type { UserRegistry } from './user-registry.js'

const NO_ROOMS: readonly RoomId[] = []
const NO_USERS: readonly UserId[] = []

/**
 * What one update of `RoomVisibility` changed, for the caller to apply: the
 * entries to drop and the search bits to fix follow from it alone.
 */
export interface VisibilityChange {
  /** Remote users whose last room shared with the server this was: they leave the directory. */
  readonly dropped: readonly UserId[]
  /**
   * Users who entered or left `inPublicRooms` (each at most once per
   * update; `isInPublicRoom` tells which way): toggling each one's bit keeps
   * a mirror of `isInPublicRoom` exact.
   */
  readonly publicFlips: readonly UserId[]
}

const NO_CHANGE: VisibilityChange = Object.freeze({ dropped: NO_USERS, publicFlips: NO_USERS })

/**
 * The visibility relations of SPEC §2, kept as room membership plus a few
 * counters instead of Synapse's pair table:
 *  - `#roomsByUser`: the rooms each user is joined to (the room id itself
 *    for a user in one room, most users: a Set per user cost ~130 B more);
 *  - `localMemberCounts`: joined local users per room (any local user, excluded or
 *    not, puts the server in the room, as Synapse's `is_host_joined`);
 *  - `publicRoomCounts`: per included user, the number of public rooms the server
 *    is in where they are joined (`inPublicRooms` is non-empty iff > 0);
 *  - `sharedRoomCounts`: per remote user, the number of rooms the server is in
 *    where they are joined; at 0 they leave the directory.
 * "Who shares a private room with whom" is derived at query time from
 * `#roomsByUser`, by intersecting small sets.
 *
 * Every method keeps the counters equal to a recount from the rooms and the
 * registry; the property tests check that. The updates (`onMembership`,
 * `onPublicity`, `onInclusion`, `repair`) return what they changed as a
 * `VisibilityChange` (one shared empty value when nothing did); `recount`
 * reports nothing: after it, readers re-read `isInPublicRoom`.
 */
export class RoomVisibility {
  readonly #rooms: Map<RoomId, RoomState>
  readonly #registry: UserRegistry
  readonly #roomsByUser = new Map<UserId, RoomId | Set<RoomId>>()
  readonly localMemberCounts = new Map<RoomId, number>()
  readonly publicRoomCounts = new Map<UserId, number>()
  readonly sharedRoomCounts = new Map<UserId, number>()
  // What the update in progress changed (allocated on the first change), or
  // not recording (a recount).
  #recording = false
  #dropped: UserId[] | undefined
  #publicFlips: UserId[] | undefined

  constructor(rooms: Map<RoomId, RoomState>, registry: UserRegistry) {
    this.#rooms = rooms
    this.#registry = registry
  }

  /** Whether at least one local user is joined to the room. */
  isServerIn(roomId: RoomId): boolean {
    return (this.localMemberCounts.get(roomId) ?? 0) > 0
  }

  /** Whether the user is in `inPublicRooms` (joined to a public room the server is in, and included). */
  isInPublicRoom(userId: UserId): boolean {
    return (this.publicRoomCounts.get(userId) ?? 0) > 0
  }

  /** Whether a remote user is joined to any room the server is in. */
  isRemoteHeld(userId: UserId): boolean {
    return (this.sharedRoomCounts.get(userId) ?? 0) > 0
  }

  /**
   * A user joined (`delta = 1`) or left (`delta = -1`) a room; the room's
   * `joined` map has already been updated. Returns the remote users whose
   * last shared room this was (`dropped`) and the users whose
   * `inPublicRooms` membership flipped.
   */
  onMembership(roomId: RoomId, userId: UserId, delta: 1 | -1): VisibilityChange {
    const room = this.#rooms.get(roomId)
    if (room === undefined) throw new Error(`room ${roomId} is not tracked`)
    this.#begin()
    if (delta === 1) this.#addRoom(userId, roomId)
    else this.#removeRoom(userId, roomId)
    const isLocal = this.#registry.isLocal(userId)
    if (isLocal) {
      const before = this.localMemberCounts.get(roomId) ?? 0
      const after = before + delta
      if (after === 0) this.localMemberCounts.delete(roomId)
      else this.localMemberCounts.set(roomId, after)
      if (before === 0 || after === 0) {
        // The server joined or left the room: every other member's counts change.
        for (const member of room.joined.keys()) if (member !== userId) this.#countMember(room, member, delta)
      }
    }
    // A local member always counts (they put the server in the room); a remote one only while the server is in it.
    if (isLocal || this.isServerIn(roomId)) this.#countMember(room, userId, delta)
    return this.#end()
  }

  /** The room flipped between public and private: returns its members whose `inPublicRooms` membership flipped. */
  onPublicity(roomId: RoomId, isPublic: boolean): VisibilityChange {
    const room = this.#rooms.get(roomId)
    if (room === undefined || !this.isServerIn(roomId)) return NO_CHANGE
    this.#begin()
    for (const member of room.joined.keys()) {
      if (this.#registry.isIncluded(member)) this.#bumpPublic(member, isPublic ? 1 : -1)
    }
    return this.#end()
  }

  /** A local user's inclusion changed (registered, deactivated, …): recounts their public rooms; returns whether that flipped them. */
  onInclusion(userId: UserId, isIncluded: boolean): VisibilityChange {
    let count = 0
    if (isIncluded) {
      for (const roomId of this.#roomsOf(userId)) {
        const room = this.#rooms.get(roomId)
        if (room !== undefined && this.isServerIn(roomId) && isRoomPublic(room)) count++
      }
    }
    const before = this.publicRoomCounts.has(userId)
    if (count === 0) this.publicRoomCounts.delete(userId)
    else this.publicRoomCounts.set(userId, count)
    if (before === count > 0) return NO_CHANGE
    this.#begin()
    this.#flip(userId)
    return this.#end()
  }

  /**
   * Calls `visit` for every member of the private rooms (the server in them)
   * that the requester, a local included user, is joined to: the users M of
   * triples `(requester, M, room)` once the caller drops the excluded ones.
   * Inclusion is not checked per member (it costs a regex per appservice
   * namespace): callers that look members up among directory entries, all
   * included, need not. A user sharing several rooms is visited once per
   * room. Cost: the sizes of those rooms.
   */
  forEachPrivateSharerCandidate(requester: UserId, visit: (userId: UserId) => void): void {
    if (!this.#registry.isLocal(requester) || !this.#registry.isIncluded(requester)) return
    for (const roomId of this.#roomsOf(requester)) {
      const room = this.#rooms.get(roomId)
      if (room === undefined || isRoomPublic(room) || !this.isServerIn(roomId)) continue
      for (const member of room.joined.keys()) if (member !== requester) visit(member)
    }
  }

  /** Whether `requester` shares a private room the server is in with `other` (a triple exists). */
  sharesPrivateRoom(requester: UserId, other: UserId): boolean {
    if (requester === other || !this.#registry.isLocal(requester)) return false
    if (!this.#registry.isIncluded(requester) || !this.#registry.isIncluded(other)) return false
    const mine = this.#roomsByUser.get(requester)
    const theirs = this.#roomsByUser.get(other)
    if (mine === undefined || theirs === undefined) return false
    if (typeof mine === 'string') return this.#isSharedPrivate(mine, theirs)
    if (typeof theirs === 'string') return this.#isSharedPrivate(theirs, mine)
    const [small, large] = mine.size <= theirs.size ? [mine, theirs] : [theirs, mine]
    for (const roomId of small) if (this.#isSharedPrivate(roomId, large)) return true
    return false
  }

  // Whether `roomId` is among `rooms`, the server is in it and it is private.
  #isSharedPrivate(roomId: RoomId, rooms: RoomId | Set<RoomId>): boolean {
    if (typeof rooms === 'string' ? rooms !== roomId : !rooms.has(roomId)) return false
    if (!this.isServerIn(roomId)) return false
    const room = this.#rooms.get(roomId)
    return room !== undefined && !isRoomPublic(room)
  }

  #roomsOf(userId: UserId): Iterable<RoomId> {
    const rooms = this.#roomsByUser.get(userId)
    return rooms === undefined ? NO_ROOMS : typeof rooms === 'string' ? [rooms] : rooms
  }

  #addRoom(userId: UserId, roomId: RoomId): void {
    const rooms = this.#roomsByUser.get(userId)
    if (rooms === undefined) this.#roomsByUser.set(userId, roomId)
    else if (typeof rooms !== 'string') rooms.add(roomId)
    else if (rooms !== roomId) this.#roomsByUser.set(userId, new Set([rooms, roomId]))
  }

  #removeRoom(userId: UserId, roomId: RoomId): void {
    const rooms = this.#roomsByUser.get(userId)
    if (rooms === undefined) return
    if (typeof rooms === 'string') {
      if (rooms === roomId) this.#roomsByUser.delete(userId)
      return
    }
    rooms.delete(roomId)
    if (rooms.size === 1) this.#roomsByUser.set(userId, rooms.values().next().value as RoomId)
  }

  /** The relations as Synapse's two tables (for tests and debugging; cost: Σ room size²). */
  relations(): { inPublicRooms: [UserId, RoomId][]; sharePrivateRooms: [UserId, UserId, RoomId][] } {
    const inPublicRooms: [UserId, RoomId][] = []
    const sharePrivateRooms: [UserId, UserId, RoomId][] = []
    for (const [roomId, room] of this.#rooms) {
      if (!this.isServerIn(roomId)) continue
      const members = [...room.joined.keys()].filter((member) => this.#registry.isIncluded(member))
      if (isRoomPublic(room)) {
        for (const member of members) inPublicRooms.push([member, roomId])
        continue
      }
      for (const local of members) {
        if (!this.#registry.isLocal(local)) continue
        for (const other of members) if (other !== local) sharePrivateRooms.push([local, other, roomId])
      }
    }
    return { inPublicRooms, sharePrivateRooms }
  }

  /**
   * Brings the counters back in line with the rooms and the registry after
   * some of their facts were put back (a unit of work undone), touching only
   * what those facts reach: `members` whose joined state may have changed,
   * `rooms` whose state or members changed, each with whether the server was
   * in it and whether it was public before the facts were put back, and
   * `users` whose registration changed. Returns the users whose
   * `inPublicRooms` membership flipped (`dropped` stays empty: the undone
   * facts bring their entries back themselves). Cost: the sizes of the touched
   * rooms, plus the rooms of each affected user (all members of a room only
   * when its publicity or the server's presence in it changed).
   */
  repair(members: Iterable<readonly [RoomId, UserId]>, rooms: ReadonlyMap<RoomId, { serverIn: boolean; isPublic: boolean }>, users: Iterable<UserId>): VisibilityChange {
    this.#begin()
    const affected = new Set<UserId>(users)
    for (const [roomId, userId] of members) {
      if (this.#rooms.get(roomId)?.joined.has(userId) === true) this.#addRoom(userId, roomId)
      else this.#removeRoom(userId, roomId)
      affected.add(userId)
    }
    for (const [roomId, before] of rooms) {
      const room = this.#rooms.get(roomId)
      let locals = 0
      if (room !== undefined) for (const member of room.joined.keys()) if (this.#registry.isLocal(member)) locals++
      if (locals === 0) this.localMemberCounts.delete(roomId)
      else this.localMemberCounts.set(roomId, locals)
      if (room === undefined || (before.serverIn === locals > 0 && before.isPublic === isRoomPublic(room))) continue
      for (const member of room.joined.keys()) affected.add(member)
    }
    for (const userId of affected) this.#recountUser(userId)
    return this.#end()
  }

  // One user's counters from their rooms (as `#recount` would set them).
  #recountUser(userId: UserId): void {
    const isIncluded = this.#registry.isIncluded(userId)
    let inPublic = 0
    let shared = 0
    for (const roomId of this.#roomsOf(userId)) {
      const room = this.#rooms.get(roomId)
      if (room === undefined || !this.isServerIn(roomId)) continue
      shared++
      if (isIncluded && isRoomPublic(room)) inPublic++
    }
    const wasInPublic = this.publicRoomCounts.has(userId)
    if (inPublic === 0) this.publicRoomCounts.delete(userId)
    else this.publicRoomCounts.set(userId, inPublic)
    if (this.#registry.isLocal(userId) || shared === 0) this.sharedRoomCounts.delete(userId)
    else this.sharedRoomCounts.set(userId, shared)
    if (wasInPublic !== inPublic > 0) this.#flip(userId)
  }

  /** Forget all counts and recount them from the rooms and the registry (reports nothing: re-read `isInPublicRoom` after). */
  recount(): void {
    const steps = this.recountSteps(Number.MAX_SAFE_INTEGER)
    while (steps.next().done !== true) continue
  }

  /**
   * `recount()` as a generator that yields after about every `stepSize`
   * joined memberships counted (rooms of any size are split), so a caller
   * can count a fresh instance in slices between other work. The rooms and
   * the registry must not change until it is done; until then the counters
   * are partial. Reports nothing, like `recount()`.
   */
  *recountSteps(stepSize = 1024): Generator<void, void, undefined> {
    this.#recording = false
    this.#roomsByUser.clear()
    this.localMemberCounts.clear()
    this.publicRoomCounts.clear()
    this.sharedRoomCounts.clear()
    let done = 0
    for (const [roomId, room] of this.#rooms) {
      let locals = 0
      for (const member of room.joined.keys()) {
        this.#addRoom(member, roomId)
        if (this.#registry.isLocal(member)) locals++
        if (++done >= stepSize) {
          done = 0
          yield
        }
      }
      if (locals === 0) continue
      this.localMemberCounts.set(roomId, locals)
      for (const member of room.joined.keys()) {
        this.#countMember(room, member, 1)
        if (++done >= stepSize) {
          done = 0
          yield
        }
      }
    }
  }

  // A member's contribution to the counters of one room the server is in.
  #countMember(room: RoomState, userId: UserId, delta: 1 | -1): void {
    if (isRoomPublic(room) && this.#registry.isIncluded(userId)) this.#bumpPublic(userId, delta)
    if (!this.#registry.isLocal(userId)) {
      if (this.#bump(this.sharedRoomCounts, userId, delta) === 0 && delta === -1 && this.#recording) (this.#dropped ??= []).push(userId)
    }
  }

  #bumpPublic(userId: UserId, delta: 1 | -1): void {
    const after = this.#bump(this.publicRoomCounts, userId, delta)
    if (after === (delta === 1 ? 1 : 0)) this.#flip(userId)
  }

  #flip(userId: UserId): void {
    if (this.#recording) (this.#publicFlips ??= []).push(userId)
  }

  // An update starts recording what it changes (anything left by one that threw is dropped) …
  #begin(): void {
    this.#recording = true
    this.#dropped = undefined
    this.#publicFlips = undefined
  }

  // … and ends by handing it over.
  #end(): VisibilityChange {
    this.#recording = false
    const dropped = this.#dropped
    const publicFlips = this.#publicFlips
    if (dropped === undefined && publicFlips === undefined) return NO_CHANGE
    this.#dropped = undefined
    this.#publicFlips = undefined
    return { dropped: dropped ?? NO_USERS, publicFlips: publicFlips ?? NO_USERS }
  }

  #bump(counts: Map<UserId, number>, userId: UserId, delta: 1 | -1): number {
    const after = (counts.get(userId) ?? 0) + delta
    if (after < 0) throw new Error(`visibility count for ${userId} went negative`)
    if (after === 0) counts.delete(userId)
    else counts.set(userId, after)
    return after
  }
}
