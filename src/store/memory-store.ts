import type { RoomId, UserId } from '../ids/index.js'
import type { MemberProfile } from '../rooms/index.js'
import type { LocalUser } from '../visibility/index.js'
import type { Profile, StaleMark } from '../profiles/index.js'
import type { DirectoryStore, StoreBatch, StoredRoom, StoredState } from './types.js'

/** A room as the memory store holds it: its state and its joined members in one object (a directory's `RoomState`). */
interface HeldRoom extends StoredRoom {
  joined: Map<UserId, MemberProfile | null>
}

/**
 * The store of a memory-only directory: the same contract as `LmdbStore`
 * (test/store/contract.test.ts runs one suite against both), its facts gone
 * when the process ends.
 *
 * It holds each fact once, in the containers `load()` hands out: the rooms
 * Map (each room with its joined-members Map), the local users, the entries
 * and the stale marks. A directory opened on it adopts those containers as
 * its own facts (the contract allows it: see `DirectoryStore.load`), so a
 * commit finds every record already in place and only checks it (one Map
 * lookup per record). Committed by anyone else (a standalone store, a
 * test), records are written into those same containers. Records are kept
 * as given (callers replace records, never write them in place); meta
 * values are copied at commit and at every read, as LMDB's msgpack round
 * trip gives fresh ones. A commit applies the whole batch or, if a meta
 * value cannot be copied, none of it. Never read-only. `close()` keeps the
 * facts: `reopen()` makes the same instance usable again, as opening an
 * LMDB path again does. Cost: bench/experiments/memory-store-cost.ts.
 *
 * @example
 * const store = new MemoryStore()
 * store.commit({ rooms: [], members: [], localUsers: [], entries: [], stale: [], position: 1 })
 * store.load().position // 1
 */
export class MemoryStore implements DirectoryStore {
  readonly #rooms = new Map<RoomId, HeldRoom>()
  readonly #localUsers = new Map<UserId, LocalUser>()
  readonly #entries = new Map<UserId, Profile>()
  readonly #stale = new Map<UserId, StaleMark>()
  readonly #meta = new Map<string, unknown>()
  #position: number | null = null
  #closed = false

  /**
   * The store's own containers, not copies: the caller owns them from here
   * and keeps them equal to what it commits. `rooms` holds each room's
   * state with its `joined` Map; `members` (a new Map) lists those joined
   * Maps of the rooms that have members. Key order: insertion order.
   */
  load(): StoredState {
    this.#assertOpen('load')
    const members = new Map<RoomId, Map<UserId, MemberProfile | null>>()
    for (const [roomId, room] of this.#rooms) if (room.joined.size > 0) members.set(roomId, room.joined)
    return { rooms: this.#rooms, members, localUsers: this.#localUsers, entries: this.#entries, stale: this.#stale, position: this.#position }
  }

  /** Nothing is mapped: a no-op. */
  async releaseMappedPages(): Promise<void> {
    this.#assertOpen('releaseMappedPages')
  }

  /**
   * Applies the whole batch, or nothing: meta values are copied first, so a
   * value that cannot be copied (a function, a symbol) is a plain `Error`
   * before anything changes. A record already held (the caller's containers
   * are the store's) costs one lookup and no write.
   */
  commit(batch: StoreBatch): void {
    this.#assertOpen('commit')
    const meta = batch.meta === undefined ? undefined : batch.meta.map(([key, value]): [string, unknown] => [key, value === null || value === undefined ? null : copyMeta(key, value)])
    const rooms = this.#rooms
    for (const [roomId, state] of batch.rooms) {
      const room = rooms.get(roomId)
      if (state === null) {
        if (room === undefined) continue
        if (room.joined.size === 0) rooms.delete(roomId)
        else if (room.joinRule !== null || room.historyVisibility !== null) {
          room.joinRule = null
          room.historyVisibility = null
        }
      } else if (room === undefined) {
        rooms.set(roomId, { joinRule: state.joinRule, historyVisibility: state.historyVisibility, joined: new Map() })
      } else if (room.joinRule !== state.joinRule || room.historyVisibility !== state.historyVisibility) {
        room.joinRule = state.joinRule
        room.historyVisibility = state.historyVisibility
      }
    }
    // Members come grouped by room: the room is looked up once per run of them.
    let lastId: RoomId | undefined
    let last: HeldRoom | undefined
    for (const [roomId, userId, profile] of batch.members) {
      if (roomId !== lastId) {
        lastId = roomId
        last = rooms.get(roomId)
      }
      if (profile === undefined) {
        if (last === undefined || !last.joined.delete(userId)) continue
        if (last.joined.size === 0 && last.joinRule === null && last.historyVisibility === null) {
          rooms.delete(roomId)
          last = undefined
        }
        continue
      }
      if (last === undefined) rooms.set(roomId, (last = { joinRule: null, historyVisibility: null, joined: new Map() }))
      // `profile` is never undefined here: an absent member differs.
      if (last.joined.get(userId) !== profile) last.joined.set(userId, profile)
    }
    const localUsers = this.#localUsers
    for (const [userId, user] of batch.localUsers) if (localUsers.get(userId) !== user) localUsers.set(userId, user)
    putAll(this.#entries, batch.entries)
    putAll(this.#stale, batch.stale)
    if (batch.position !== undefined) this.#position = batch.position
    if (meta !== undefined) {
      for (const [key, value] of meta) {
        if (value === null) this.#meta.delete(key)
        else this.#meta.set(key, value)
      }
    }
  }

  /** A value written through `StoreBatch.meta` (a copy), or `undefined`. */
  getMeta(key: string): unknown {
    this.#assertOpen('getMeta')
    const value = this.#meta.get(key)
    return value === undefined ? undefined : copyMeta(key, value)
  }

  /** Every meta value (copies) under a key starting with `prefix`, in key order. */
  metaEntries(prefix: string): [string, unknown][] {
    this.#assertOpen('metaEntries')
    const found: [string, unknown][] = []
    for (const [key, value] of this.#meta) if (key.startsWith(prefix)) found.push([key, copyMeta(key, value)])
    return found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  }

  /** Always `null`: memory can always be written. */
  get notWritableBecause(): string | null {
    return null
  }

  async recheck(): Promise<string | null> {
    this.#assertOpen('recheck')
    return null
  }

  /** Idempotent; the store cannot be used afterwards until `reopen()`. Its facts stay. */
  async close(): Promise<void> {
    this.#closed = true
  }

  /** Makes a closed store usable again, with every fact committed before `close()` (the memory twin of opening the same LMDB path again). */
  reopen(): this {
    this.#closed = false
    return this
  }

  #assertOpen(operation: string): void {
    if (this.#closed) throw new Error(`MemoryStore: ${operation}() after close()`)
  }
}

// Sets or (`null`) deletes each record; one already held is left alone.
function putAll<V>(map: Map<UserId, V>, records: [UserId, V | null][]): void {
  for (const [userId, value] of records) {
    if (value === null) map.delete(userId)
    else if (map.get(userId) !== value) map.set(userId, value)
  }
}

// Primitives need no copy; objects are cloned, as LMDB's msgpack round trip would give a fresh one.
function copyMeta(key: string, value: unknown): unknown {
  if (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol') return value
  try {
    return structuredClone(value)
  } catch (cause) {
    throw new Error(`StoreBatch.meta value of ${JSON.stringify(key)} cannot be stored: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}
