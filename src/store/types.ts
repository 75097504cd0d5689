import type { RoomId, UserId } from '../ids/index.js'
import type { MemberProfile } from '../rooms/index.js'
import type { LocalUser } from '../visibility/index.js'
import type { Profile, StaleMark } from '../profiles/index.js'

/** Room-level state kept per room (members are stored apart, one record each). */
export interface StoredRoom {
  joinRule: string | null
  historyVisibility: string | null
}

/**
 * The facts one commit changes. `null` deletes the record. Members are keyed
 * by (room, user) so one more member in a 20,000-member room writes one
 * record, not the room.
 */
export interface StoreBatch {
  rooms: [RoomId, StoredRoom | null][]
  /** A joined member's event profile (`null` profile for local members), or `undefined`: no longer joined. */
  members: [RoomId, UserId, MemberProfile | null | undefined][]
  localUsers: [UserId, LocalUser][]
  entries: [UserId, Profile | null][]
  stale: [UserId, StaleMark | null][]
  /** The stream position after this batch, if it carried one. */
  position?: number
  /** Small named values of other layers (e.g. applied appservice transaction ids); `null` deletes. */
  meta?: [string, unknown][]
}

/** Everything the engine needs to resume, as stored. */
export interface StoredState {
  /** Room-level state; a room listed with both values `null` is the same as a room not listed (LMDB lists only rooms with a record). */
  rooms: Map<RoomId, StoredRoom>
  /** Joined members by room: each member's event profile (`null` for local members). */
  members: Map<RoomId, Map<UserId, MemberProfile | null>>
  localUsers: Map<UserId, LocalUser>
  entries: Map<UserId, Profile>
  stale: Map<UserId, StaleMark>
  position: number | null
}

/**
 * The facts behind a `UserDirectory`: durable in `LmdbStore`, in memory in
 * `MemoryStore` (a memory-only directory). Records in a batch are the
 * caller's to replace, never to change in place once committed.
 */
export interface DirectoryStore {
  /**
   * Reads every stored fact (at open). The Maps returned are the caller's
   * from here: a store may hand out its own containers (`MemoryStore` does,
   * so that its facts are held once), and the caller then keeps them equal
   * to what it commits (changing them only inside units of work that it
   * commits or undoes); `LmdbStore` builds fresh ones.
   */
  load(): StoredState
  /** Drops the pages `load()` read from the process's resident memory (the store stays usable). */
  releaseMappedPages(): Promise<void>
  /** Writes one batch atomically (all or nothing) and durably before returning. */
  commit(batch: StoreBatch): void
  /** Reads a value written through `StoreBatch.meta`. */
  getMeta(key: string): unknown
  /** Every `StoreBatch.meta` value whose key starts with `prefix`, in key order. */
  metaEntries(prefix: string): Iterable<[string, unknown]>
  /** Why commits cannot work now (a read-only store), or `null`. */
  readonly notWritableBecause: string | null
  /** Checks again whether commits work, recovering write access if it can (see `LmdbStore.recheck`); `null` when writable, else why not. */
  recheck(): Promise<string | null>
  /** Flushes and releases the environment. */
  close(): Promise<void>
}
