import { parseUserId } from '../ids/index.js'
import type { RoomId } from '../ids/index.js'
import type { RoomState } from '../rooms/index.js'
import type { LocalUser } from '../visibility/index.js'
import type { DirectoryFacts, UnitOfWork } from './unit-of-work.js'

/**
 * What the importer (src/import) and the follower (src/follow) read and
 * store beside the public API: they mirror a homeserver's users and rooms,
 * so they compare its state with the directory's, and keep a checkpoint
 * with the directory's own units of work. Reached as
 * `UserDirectory.importAccess`; not part of API.md.
 * @internal
 */
export interface ImportAccess {
  /** A registered local user's facts, or null if the homeserver never told us about them. */
  localUser(userId: string): LocalUser | null
  /** Every registered local user id (unsorted). */
  localUserIds(): string[]
  /**
   * The tracked state of a room (a copy), or null if the directory knows
   * nothing of it: join rule, history visibility, and the joined members with
   * their member event's profile (null for local members).
   */
  roomState(roomId: string): RoomState | null
  /** Every room the directory tracks state for (unsorted). */
  roomIds(): string[]
  /** A value stored with `setMeta`, or `undefined`. Synchronous read. */
  getMeta(key: string): unknown
  /**
   * Stores a small msgpack-able value under `key` (`null` deletes it),
   * committed with the current unit of work: on its own, or inside `batch()`
   * together with the batch's changes. Keys cannot reach the engine's own.
   */
  setMeta(key: string, value: unknown): Promise<void>
}

/** The import access of a directory's facts and unit of work. @internal */
export function createImportAccess(facts: DirectoryFacts, work: UnitOfWork): ImportAccess {
  return {
    localUser: (userId) => {
      const user = facts.registry.get(parseUserId(userId))
      return user === undefined ? null : { ...user }
    },
    localUserIds: () => [...facts.registry.entries()].map(([userId]) => userId),
    roomState: (roomId) => {
      const room = facts.rooms.get(roomId as RoomId)
      if (room === undefined) return null
      return { joinRule: room.joinRule, historyVisibility: room.historyVisibility, joined: new Map(room.joined) }
    },
    roomIds: () => [...facts.rooms.keys()],
    getMeta: (key) => work.getMeta(key),
    setMeta: (key, value) => work.setMeta(key, value),
  }
}
