// A naive reference model of SPEC §1–2, written for clarity, not speed: it
// keeps users and room state and recomputes the relations from scratch on
// every question. Property tests compare the engine with it.
import type { StateDelta } from '../../src/index.js'

interface Member { membership: string; displayName: string | null; avatarUrl: string | null }
interface Room { joinRule: string | null; historyVisibility: string | null; members: Map<string, Member> }
interface Appservice { sender: string; namespaces?: { users?: { regex: string; exclusive?: boolean }[] } }

const text = (value: unknown): string | null => (typeof value === 'string' && !value.includes('\u0000') ? value : null)

export class ReferenceDirectory {
  readonly users = new Map<string, { userType: string | null; deactivated: boolean; locked: boolean }>()
  readonly rooms = new Map<string, Room>()
  readonly entries = new Map<string, { display_name: string | null; avatar_url: string | null }>()
  readonly stale = new Set<string>()

  constructor(readonly serverName: string, readonly appservices: Appservice[] = []) {}

  isLocal(userId: string): boolean {
    return userId.slice(userId.indexOf(':') + 1) === this.serverName
  }

  isIncluded(userId: string): boolean {
    if (!this.isLocal(userId)) return true
    const user = this.users.get(userId)
    if (user === undefined || user.deactivated || user.userType === 'support') return false
    for (const as of this.appservices) {
      if (as.sender === userId) return false
      for (const ns of as.namespaces?.users ?? []) if (ns.exclusive === true && new RegExp(`^(?:${ns.regex})`).test(userId)) return false
    }
    return true
  }

  isPublic(room: Room): boolean {
    return room.joinRule === 'public' || room.historyVisibility === 'world_readable'
  }

  joined(room: Room): string[] {
    return [...room.members].filter(([, m]) => m.membership === 'join').map(([u]) => u)
  }

  isServerIn(room: Room): boolean {
    return this.joined(room).some((u) => this.isLocal(u))
  }

  // ---- the calls the engine receives ----

  registerLocalUser(userId: string, info: { userType?: string | null; deactivated?: boolean; locked?: boolean } = {}): void {
    const before = this.users.get(userId)
    this.#withInclusion(userId, () => this.users.set(userId, {
      userType: info.userType === undefined ? before?.userType ?? null : info.userType,
      deactivated: info.deactivated ?? before?.deactivated ?? false,
      locked: info.locked ?? before?.locked ?? false,
    }))
  }

  setUserDeactivated(userId: string, deactivated: boolean): void {
    const user = this.users.get(userId)
    if (user !== undefined) this.#withInclusion(userId, () => { user.deactivated = deactivated })
  }

  handleLocalUserDeactivated(userId: string): void {
    this.setUserDeactivated(userId, true)
  }

  setUserLocked(userId: string, locked: boolean): void {
    const user = this.users.get(userId)
    if (user !== undefined) user.locked = locked
  }

  handleLocalProfileChange(userId: string, profile: { displayName?: unknown; avatarUrl?: unknown }): void {
    if (this.isIncluded(userId)) this.entries.set(userId, { display_name: text(profile.displayName), avatar_url: text(profile.avatarUrl) })
  }

  ingest(deltas: readonly StateDelta[]): void {
    for (const delta of deltas) this.#apply(delta)
  }

  // ---- what the engine must answer ----

  relations(): { inPublicRooms: [string, string][]; sharePrivateRooms: [string, string, string][] } {
    const inPublicRooms: [string, string][] = []
    const sharePrivateRooms: [string, string, string][] = []
    for (const [roomId, room] of this.rooms) {
      if (!this.isServerIn(room)) continue
      const members = this.joined(room).filter((u) => this.isIncluded(u))
      if (this.isPublic(room)) {
        for (const u of members) inPublicRooms.push([u, roomId])
      } else {
        for (const l of members.filter((u) => this.isLocal(u))) for (const m of members) if (m !== l) sharePrivateRooms.push([l, m, roomId])
      }
    }
    const cmp = (a: string[], b: string[]) => (a.join('\u0001') < b.join('\u0001') ? -1 : 1)
    return { inPublicRooms: inPublicRooms.sort(cmp), sharePrivateRooms: sharePrivateRooms.sort(cmp) }
  }

  /** Whether `requester` may see `other` in a default (not search-all) search. */
  canSee(requester: string, other: string): boolean {
    const { inPublicRooms, sharePrivateRooms } = this.relations()
    return inPublicRooms.some(([u]) => u === other) || sharePrivateRooms.some(([l, m]) => l === requester && m === other)
  }

  // ---- internals ----

  #withInclusion(userId: string, change: () => void): void {
    const before = this.isIncluded(userId)
    change()
    const after = this.isIncluded(userId)
    if (before && !after) this.entries.delete(userId)
    if (!before && after && !this.entries.has(userId)) this.entries.set(userId, { display_name: null, avatar_url: null })
  }

  #apply(delta: StateDelta): void {
    let room = this.rooms.get(delta.room_id)
    if (room === undefined) this.rooms.set(delta.room_id, (room = { joinRule: null, historyVisibility: null, members: new Map() }))
    const content = delta.content ?? {}
    if (delta.type === 'm.room.join_rules' && delta.state_key === '') room.joinRule = text(content.join_rule)
    if (delta.type === 'm.room.history_visibility' && delta.state_key === '') room.historyVisibility = text(content.history_visibility)
    if (delta.type === 'm.room.member') {
      const userId = delta.state_key
      const before = room.members.get(userId)
      const after: Member = { membership: text(content.membership) ?? 'leave', displayName: text(content.displayname), avatarUrl: text(content.avatar_url) }
      room.members.set(userId, after)
      const wasJoined = before?.membership === 'join'
      const changed = !wasJoined || before.displayName !== after.displayName || before.avatarUrl !== after.avatarUrl
      // Remote profiles: from the event in public rooms, a stale mark in private ones (SPEC §1).
      if (after.membership === 'join' && changed && !this.isLocal(userId) && this.isServerIn(room)) {
        if (this.isPublic(room)) {
          this.entries.set(userId, { display_name: after.displayName, avatar_url: after.avatarUrl })
          this.stale.delete(userId)
        } else {
          this.stale.add(userId)
        }
      }
    }
    // Remote users leave the directory with the last room the server shares with them.
    for (const userId of [...this.entries.keys(), ...this.stale]) {
      if (this.isLocal(userId)) continue
      const held = [...this.rooms.values()].some((r) => r.members.get(userId)?.membership === 'join' && this.isServerIn(r))
      if (!held) {
        this.entries.delete(userId)
        this.stale.delete(userId)
      }
    }
  }
}
