// A generated homeserver served by the Synapse emulator
// (test/synapse-emulator): users (guests, support users, bots, deactivated and
// locked ones, NULs in names) and rooms (public and private, every
// membership, remote members) seeded as history, so the importer reads them
// through the emulator's Admin API in Synapse's shapes. ADMIN_TOKEN is a
// server admin's token, USER_TOKEN a valid non-admin's (403 M_FORBIDDEN),
// anything else 401. Tests inject failures (`failNext`), a hook while a
// room's state is being answered (`onRoomState`), and change the homeserver
// (`setMember`, …), each change returning the delta a live appservice
// transaction would carry.
import type { StateDelta, UserDirectory } from '../../src/index.js'
import { Random } from '../../corpus/index.js'
import { SynapseEmulator, feedReference } from '../synapse-emulator/index.js'

export const ADMIN_TOKEN = 'syt_admin_secret'
export const USER_TOKEN = 'syt_plain_user'
export const SERVER_NAME = 'hs.test'

export interface FakeUser {
  name: string
  user_type: string | null
  is_guest: boolean
  deactivated: boolean
  locked: boolean
  displayname: string | null
  avatar_url: string | null
}

export interface FakeEvent {
  type: string
  state_key: string
  content: Record<string, unknown>
  sender: string
  event_id: string
}

export interface FakeRoom {
  room_id: string
  name: string
  creator: string
  /** Current state in creation order; a changed entry keeps its place. */
  state: FakeEvent[]
}

export interface HomeserverShape {
  users: number
  rooms: number
  seed: number
}

const FIRST = ['Ada', 'Bram', 'Chloé', 'Dmitri', 'Eve', 'Farah', 'Günter', 'Hiro', 'Ines', 'José', 'Kalani', 'Lena', 'Mo', 'Nnamdi', 'Olga', 'Priya']
const LAST = ['Smith', 'Ng', 'Okafor', 'Ivanova', 'García', "O'Brien", 'Müller', 'Tanaka', 'Kowalski', 'Haddad']

/** Generates the homeserver's users and rooms. */
export function generateHomeserver(shape: HomeserverShape): { users: FakeUser[]; rooms: FakeRoom[] } {
  // The oracle's seeded generator: the same homeserver every time.
  const source = new Random(shape.seed)
  const rnd = (): number => source.next()
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]
  const users: FakeUser[] = []
  for (let i = 0; i < shape.users; i++) {
    const r = rnd()
    users.push({
      name: `@user${String(i).padStart(5, '0')}:${SERVER_NAME}`,
      user_type: r < 0.01 ? 'support' : r < 0.02 ? 'bot' : null,
      is_guest: r > 0.985,
      deactivated: rnd() < 0.03,
      locked: rnd() < 0.02,
      displayname: rnd() < 0.8 ? `${pick(FIRST)} ${pick(LAST)}${rnd() < 0.01 ? '\u0000' : ''}` : null,
      avatar_url: rnd() < 0.4 ? `mxc://${SERVER_NAME}/a${i}` : null,
    })
  }
  const remotes = Array.from({ length: Math.max(10, Math.floor(shape.users / 3)) }, (_, i) => ({
    id: `@r${i}:remote${i % 7}.test`,
    displayname: rnd() < 0.85 ? `${pick(FIRST)} ${pick(LAST)} (remote)` : null,
    avatar: rnd() < 0.3 ? `mxc://remote${i % 7}.test/r${i}` : null,
  }))
  const rooms: FakeRoom[] = []
  let eventCounter = 0
  const eventId = () => `$e${eventCounter++}`
  for (let i = 0; i < shape.rooms; i++) {
    const roomId = `!room${String(i).padStart(5, '0')}:${SERVER_NAME}`
    const locals = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => pick(users))
    const creator = locals[0].name
    const state: FakeEvent[] = [{ type: 'm.room.create', state_key: '', content: { creator }, sender: creator, event_id: eventId() }]
    state.push({ type: 'm.room.join_rules', state_key: '', content: { join_rule: rnd() < 0.3 ? 'public' : 'invite' }, sender: creator, event_id: eventId() })
    if (rnd() < 0.7) state.push({ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: rnd() < 0.15 ? 'world_readable' : 'shared' }, sender: creator, event_id: eventId() })
    state.push({ type: 'm.room.name', state_key: '', content: { name: `Room ${i}` }, sender: creator, event_id: eventId() })
    const seen = new Set<string>()
    // ~5% of rooms: every local member has left (the server is no longer in them).
    const allLeft = rnd() < 0.05
    for (const user of locals) {
      if (seen.has(user.name)) continue
      seen.add(user.name)
      const r = rnd()
      const membership = allLeft ? 'leave' : r < 0.8 ? 'join' : r < 0.9 ? 'leave' : r < 0.95 ? 'invite' : 'ban'
      state.push({ type: 'm.room.member', state_key: user.name, content: { membership, displayname: user.displayname ?? undefined }, sender: user.name, event_id: eventId() })
    }
    const remoteCount = Math.floor(rnd() * 8)
    for (let k = 0; k < remoteCount; k++) {
      const remote = pick(remotes)
      if (seen.has(remote.id)) continue
      seen.add(remote.id)
      const membership = rnd() < 0.85 ? 'join' : 'leave'
      const content: Record<string, unknown> = { membership }
      if (remote.displayname !== null) content.displayname = remote.displayname
      if (remote.avatar !== null) content.avatar_url = remote.avatar
      state.push({ type: 'm.room.member', state_key: remote.id, content, sender: remote.id, event_id: eventId() })
    }
    rooms.push({ room_id: roomId, name: `Room ${(i * 7919) % shape.rooms}`, creator, state })
  }
  return { users, rooms }
}

export class FakeSynapse {
  readonly #shape: HomeserverShape
  #emu: SynapseEmulator | null = null

  constructor(shape: HomeserverShape) {
    this.#shape = shape
  }

  /** The emulator serving this homeserver (after `start`). */
  get emu(): SynapseEmulator {
    if (this.#emu === null) throw new Error('FakeSynapse.start() first')
    return this.#emu
  }

  get url(): string {
    return this.emu.url
  }

  /** The generated users, as the Admin API lists them (the admin and the plain token's user are not among them). */
  get users(): FakeUser[] {
    return [...this.emu.users.values()]
      .filter((u) => u.accessToken !== ADMIN_TOKEN && u.accessToken !== USER_TOKEN)
      .map((u) => ({ name: u.userId, user_type: u.userType, is_guest: u.isGuest, deactivated: u.deactivated, locked: u.locked, displayname: u.displayName, avatar_url: u.avatarUrl }))
  }

  /** The rooms, their current state in creation order. */
  get rooms(): FakeRoom[] {
    return [...this.emu.rooms.values()].map((r) => ({ room_id: r.roomId, name: r.roomId, creator: r.creator, state: r.state }))
  }

  /** Requests answered, by kind (`refused`: answered by an injected failure). */
  get requests(): { all: number; users: number; rooms: number; state: number; refused: number } {
    const log = this.emu.requests
    const served = (route: string) => log.filter((r) => r.route === route && !r.faulted && r.status !== 401 && r.status !== 403).length
    return { all: log.length, users: served('admin.users'), rooms: served('admin.rooms'), state: served('admin.room_state'), refused: log.filter((r) => r.faulted).length }
  }

  /** Called once the state of a room has been read, before it is sent: the homeserver may change meanwhile. */
  set onRoomState(hook: ((roomId: string) => Promise<void>) | null) {
    this.emu.onRoomState = hook
  }

  async start(): Promise<this> {
    const emu = await SynapseEmulator.start({ serverName: SERVER_NAME, adminToken: ADMIN_TOKEN })
    emu.registerUser('plain', { accessToken: USER_TOKEN })
    const { users, rooms } = generateHomeserver(this.#shape)
    for (const u of users) {
      const user = emu.registerUser(u.name.slice(1, -(SERVER_NAME.length + 1)), { displayName: u.displayname, avatarUrl: u.avatar_url, userType: u.user_type, guest: u.is_guest })
      user.deactivated = u.deactivated
      user.locked = u.locked
    }
    for (const room of rooms) emu.loadRoom({ roomId: room.room_id, creator: room.creator, state: room.state })
    this.#emu = emu
    return this
  }

  async stop(): Promise<void> {
    await this.#emu?.stop()
  }

  /** Answers the next `times` requests whose path and query match with `status` and `body`. */
  failNext(match: RegExp, times: number, status: number, body: unknown): void {
    this.emu.fault({ route: '*', match, times, status, body })
  }

  // ---- changing the homeserver (what live transactions would then carry) ----

  setMember(roomId: string, userId: string, content: Record<string, unknown>): StateDelta {
    return delta(this.emu.setState(roomId, 'm.room.member', userId, content, userId))
  }

  setJoinRule(roomId: string, joinRule: string): StateDelta {
    return delta(this.emu.setState(roomId, 'm.room.join_rules', '', { join_rule: joinRule }))
  }

  /** Changes an account behind the directory's back (no event, as an admin's database edit). */
  setUser(userId: string, patch: Partial<FakeUser>): void {
    const user = this.emu.user(userId)
    if (patch.displayname !== undefined) user.displayName = patch.displayname
    if (patch.avatar_url !== undefined) user.avatarUrl = patch.avatar_url
    if (patch.deactivated !== undefined) user.deactivated = patch.deactivated
    if (patch.locked !== undefined) user.locked = patch.locked
    if (patch.user_type !== undefined) user.userType = patch.user_type
  }

  /** Purges a room: it disappears from the list and its state answers 404. */
  deleteRoom(roomId: string): void {
    this.emu.purgeRoom(roomId)
  }
}

function delta(event: { room_id: string; type: string; state_key: string; content: Record<string, unknown>; event_id: string }): StateDelta {
  return { room_id: event.room_id, type: event.type, state_key: event.state_key, content: event.content, event_id: event.event_id }
}

/** The rooms in the order the rooms list gives them with `order_by=creator` (the importer's order). */
export function listOrder(rooms: readonly FakeRoom[]): FakeRoom[] {
  return [...rooms].sort((a, b) => (a.creator < b.creator ? -1 : a.creator > b.creator ? 1 : a.room_id < b.room_id ? -1 : 1))
}

/**
 * Feeds the homeserver's current state straight into a directory: the
 * emulator's reference (users sorted, guests left out as the import lists them; rooms in list order
 * and each room's state in the importer's order), which an import must match.
 */
export async function feedDirectly(dir: UserDirectory, hs: FakeSynapse): Promise<void> {
  await feedReference(dir, hs.emu, { guests: false })
}
