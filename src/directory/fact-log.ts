import type { RoomId, UserId } from '../ids/index.js'
import type { DirectoryEntries, Profile } from '../profiles/index.js'
import type { MemberProfile, RoomState } from '../rooms/index.js'
// From types.js, not the folder's face: the face re-exports the LMDB code, and lmdb's own .d.ts does not compile in a strict ESM consumer.
import type { StoreBatch, StoredRoom, StoredState } from '../store/types.js'
import type { UserRegistry } from '../visibility/index.js'

/** The in-memory facts a store mirrors. */
export interface Facts {
  rooms: Map<RoomId, RoomState>
  registry: UserRegistry
  entries: DirectoryEntries
}

/**
 * What one unit of work changed, by key: rooms, memberships and local users
 * touched, meta values and the stream position. `takeBatch` reads the
 * current values of those keys into one {@link StoreBatch}, so a batch
 * writes each touched fact once, as it ended up.
 */
export class FactLog {
  readonly #rooms = new Set<RoomId>()
  // Touched memberships by room: no key string to build and split per membership.
  readonly #members = new Map<RoomId, Set<UserId>>()
  readonly #users = new Set<UserId>()
  readonly #meta: [string, unknown][] = []
  #positionTouched = false

  touchRoom(roomId: RoomId): void {
    this.#rooms.add(roomId)
  }

  touchMember(roomId: RoomId, userId: UserId): void {
    const users = this.#members.get(roomId)
    if (users === undefined) this.#members.set(roomId, new Set([userId]))
    else users.add(userId)
  }

  touchUser(userId: UserId): void {
    this.#users.add(userId)
  }

  addMeta(key: string, value: unknown): void {
    this.#meta.push([key, value])
  }

  /** Drops the meta value added last (its call was undone). */
  popMeta(): void {
    this.#meta.pop()
  }

  /** The stream position changed: the batch stores the directory's position as it ends up. */
  touchPosition(): void {
    this.#positionTouched = true
  }

  /** Forgets everything logged. */
  clear(): void {
    this.#rooms.clear()
    this.#members.clear()
    this.#users.clear()
    this.#meta.length = 0
    this.#positionTouched = false
  }

  /** The batch that stores every logged key's current value (`position`: the directory's), then `clear()`. */
  takeBatch(facts: Facts, changed: { entries: UserId[]; stale: UserId[] }, position: number | null): StoreBatch {
    // Most units touch one or two kinds of key (a registration, a profile, a
    // page of deltas): empty kinds cost no iterator.
    const batch: StoreBatch = { rooms: [], members: [], localUsers: [], entries: [], stale: [] }
    if (this.#rooms.size > 0) {
      for (const roomId of this.#rooms) {
        const room = facts.rooms.get(roomId)
        batch.rooms.push([roomId, room === undefined ? null : { joinRule: room.joinRule, historyVisibility: room.historyVisibility }])
      }
      this.#rooms.clear()
    }
    if (this.#members.size > 0) {
      for (const [roomId, users] of this.#members) {
        const joined = facts.rooms.get(roomId)?.joined
        for (const userId of users) batch.members.push([roomId, userId, joined?.get(userId)])
      }
      this.#members.clear()
    }
    if (this.#users.size > 0) {
      for (const userId of this.#users) {
        const user = facts.registry.get(userId)
        if (user !== undefined) batch.localUsers.push([userId, user])
      }
      this.#users.clear()
    }
    const entries = changed.entries
    for (let i = 0; i < entries.length; i++) batch.entries.push([entries[i], facts.entries.get(entries[i]) ?? null])
    const stale = changed.stale
    for (let i = 0; i < stale.length; i++) batch.stale.push([stale[i], facts.entries.getStale(stale[i]) ?? null])
    if (this.#positionTouched) {
      if (position !== null) batch.position = position
      this.#positionTouched = false
    }
    if (this.#meta.length > 0) {
      batch.meta = this.#meta.slice()
      this.#meta.length = 0
    }
    return batch
  }
}

/**
 * Replaces the in-memory facts with the stored ones by adopting `state`'s
 * containers (the caller owns what `load()` returned): its rooms Map becomes
 * `facts.rooms` (each room given its members Map as `joined`), its local
 * users, entries and stale marks the registry's and the entries' own. A
 * `MemoryStore`'s containers are its own, so in memory mode the directory and
 * its store hold each fact once. Returns the stored position.
 */
export function loadFacts(state: StoredState, facts: Facts): number | null {
  const rooms = state.rooms as Map<RoomId, StoredRoom | RoomState>
  for (const [roomId, room] of rooms) {
    // One shape for every room object; the joined Map is kept (a MemoryStore's room holds its own).
    const joined = state.members.get(roomId) ?? new Map<UserId, MemberProfile | null>()
    rooms.set(roomId, { joinRule: room.joinRule, historyVisibility: room.historyVisibility, joined })
  }
  for (const [roomId, joined] of state.members) {
    for (const [userId, profile] of joined) {
      if (profile === null) continue
      const shared = sharedProfile(profile, state.entries.get(userId))
      if (shared !== profile) joined.set(userId, shared)
    }
    if (!rooms.has(roomId)) rooms.set(roomId, { joinRule: null, historyVisibility: null, joined })
  }
  facts.rooms = rooms as Map<RoomId, RoomState>
  facts.registry.adopt(state.localUsers)
  facts.entries.adopt(state.entries, state.stale)
  return state.position
}

// A remote member's event profile is mostly its directory entry's: one
// object (and one copy of its strings) for both, instead of one per record.
// Profiles are replaced, never written in place.
function sharedProfile(profile: MemberProfile, entry: Profile | undefined): MemberProfile {
  return entry !== undefined && entry.displayName === profile.displayName && entry.avatarUrl === profile.avatarUrl ? entry : profile
}
