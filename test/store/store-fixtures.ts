// Shared by the store tests and their child processes: temporary
// directories, file checksums, deterministic batches and a plain-Map model
// of what the store should hold after them.
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RoomId, UserId } from '../../src/ids/index.js'
import type { MemberProfile } from '../../src/rooms/index.js'
import type { StoreBatch, StoredRoom, StoredState } from '../../src/store/index.js'
import type { LocalUser } from '../../src/visibility/index.js'
import type { Profile, StaleMark } from '../../src/profiles/index.js'

export const roomId = (value: string): RoomId => value as RoomId
export const userId = (value: string): UserId => value as UserId

/** A fresh directory under the OS temp dir; `remove` deletes it. */
export function tempDir(prefix = 'userdir-store-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** sha256 of every file in `dir` but LMDB's lock file (its reader table changes on any open). */
export function checksums(dir: string): Record<string, string> {
  const sums: Record<string, string> = {}
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name)
    if (name === 'lock.mdb' || !statSync(file).isFile()) continue
    sums[name] = createHash('sha256').update(readFileSync(file)).digest('hex')
  }
  return sums
}

export function emptyBatch(): StoreBatch {
  return { rooms: [], members: [], localUsers: [], entries: [], stale: [] }
}

/**
 * Batch number `n` (from 1), the same in every process: it sets and deletes
 * records of every kind, so a partly written batch shows in the model.
 */
export function numberedBatch(n: number, recordsPerKind = 4): StoreBatch {
  const batch = emptyBatch()
  for (let i = 0; i < recordsPerKind; i++) {
    const k = n * recordsPerKind + i
    const room = roomId(`!r${k % 13}:x.org`)
    batch.rooms.push([room, k % 11 === 0 ? null : { joinRule: k % 2 === 0 ? 'public' : 'invite', historyVisibility: k % 3 === 0 ? null : 'shared' }])
    batch.members.push([room, userId(`@u${k}:x.org`), k % 2 === 0 ? null : { displayName: `User ${k}`, avatarUrl: k % 3 === 0 ? null : `mxc://x.org/${k}` }])
    batch.members.push([roomId(`!r${(k - 5) % 13}:x.org`), userId(`@u${k - 5}:x.org`), undefined])
    batch.localUsers.push([userId(`@u${k % 50}:x.org`), { userType: k % 7 === 0 ? 'bot' : null, deactivated: k % 5 === 0, locked: k % 9 === 0 }])
    batch.entries.push([userId(`@u${k}:x.org`), { displayName: `User ${k}`, avatarUrl: null }])
    batch.entries.push([userId(`@u${k - 3}:x.org`), null])
    batch.stale.push([userId(`@r${k}:y.org`), { nextTryAtMs: 1_000 * k, retryCounter: k % 4 }])
    batch.stale.push([userId(`@r${k - 2}:y.org`), null])
  }
  batch.position = n
  batch.meta = [['last-batch', { n, note: `batch ${n}` }]]
  return batch
}

/** What the store should hold: the facts as plain maps, in the shape `load()` returns them. */
export class StoreModel {
  rooms = new Map<RoomId, StoredRoom>()
  members = new Map<string, [RoomId, UserId, MemberProfile | null]>()
  localUsers = new Map<UserId, LocalUser>()
  entries = new Map<UserId, Profile>()
  stale = new Map<UserId, StaleMark>()
  position: number | null = null
  meta = new Map<string, unknown>()

  apply(batch: StoreBatch): this {
    for (const [id, room] of batch.rooms) room === null ? this.rooms.delete(id) : this.rooms.set(id, room)
    for (const [room, user, profile] of batch.members) {
      const key = JSON.stringify([room, user])
      profile === undefined ? this.members.delete(key) : this.members.set(key, [room, user, profile])
    }
    for (const [id, user] of batch.localUsers) this.localUsers.set(id, user)
    for (const [id, entry] of batch.entries) entry === null ? this.entries.delete(id) : this.entries.set(id, entry)
    for (const [id, mark] of batch.stale) mark === null ? this.stale.delete(id) : this.stale.set(id, mark)
    if (batch.position !== undefined) this.position = batch.position
    for (const [key, value] of batch.meta ?? []) value === null || value === undefined ? this.meta.delete(key) : this.meta.set(key, value)
    return this
  }

  /** The model in `load()`'s shape, members sorted as the store returns them. */
  state(): StoredState {
    const members = new Map<RoomId, Map<UserId, MemberProfile | null>>()
    for (const [room, user, profile] of [...this.members.values()].sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]))) {
      let joined = members.get(room)
      if (joined === undefined) members.set(room, (joined = new Map()))
      joined.set(user, profile)
    }
    return { rooms: this.rooms, members, localUsers: this.localUsers, entries: this.entries, stale: this.stale, position: this.position }
  }
}

/** `load()`'s members as [room, user, profile] records, in the store's order. */
export function memberList(state: StoredState): [RoomId, UserId, MemberProfile | null][] {
  return [...state.members].flatMap(([room, joined]) => [...joined].map(([user, profile]): [RoomId, UserId, MemberProfile | null] => [room, user, profile]))
}

/** `load()` output as comparable plain data (sorted entries). */
export function plain(state: StoredState): unknown {
  const sorted = <K extends string, V>(map: Map<K, V>): [K, V][] => [...map].sort((a, b) => compare(a[0], b[0]))
  return {
    rooms: sorted(state.rooms),
    members: memberList(state).sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1])),
    localUsers: sorted(state.localUsers),
    entries: sorted(state.entries),
    stale: sorted(state.stale),
    position: state.position,
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
