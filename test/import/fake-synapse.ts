// A fake Synapse Admin API on loopback serving a generated homeserver: the
// users list (v2, `next_token` paging, guests/deactivated/locked filters),
// the rooms list (offset paging, `next_batch`, order_by name or creator) and
// each room's current state. Tokens: ADMIN_TOKEN is a server admin,
// USER_TOKEN a valid non-admin (403 M_FORBIDDEN), anything else 401.
// Tests inject failures (`failNext`), a hook while a room's state is being
// answered (`onRoomState`), and change the homeserver (`setMember`, …),
// each change returning the delta a live appservice transaction would carry.
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { StateDelta, UserDirectory } from '../../src/index.js'
import { Random } from '../oracle/random.js'

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

/** A request the fake answers with an error instead, `times` times. */
interface Fault {
  match: (path: string) => boolean
  times: number
  status: number
  body: unknown
}

export class FakeSynapse {
  readonly users: FakeUser[]
  readonly rooms: FakeRoom[]
  url = ''
  /** Requests answered, by kind. */
  readonly requests = { all: 0, users: 0, rooms: 0, state: 0, refused: 0 }
  /** Called once the state of a room has been read, before it is sent: the homeserver may change meanwhile. */
  onRoomState: ((roomId: string) => Promise<void>) | null = null
  readonly #faults: Fault[] = []
  #server: Server | null = null
  #eventCounter = 1_000_000

  constructor(shape: HomeserverShape) {
    const { users, rooms } = generateHomeserver(shape)
    this.users = users
    this.rooms = rooms
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.#handle(req, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    this.#server = server
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    const server = this.#server
    if (server === null) return
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  /** Answers the next `times` requests whose path matches with `status` and `body`. */
  failNext(match: RegExp, times: number, status: number, body: unknown): void {
    this.#faults.push({ match: (path) => match.test(path), times, status, body })
  }

  // ---- changing the homeserver (what live transactions would then carry) ----

  setMember(roomId: string, userId: string, content: Record<string, unknown>): StateDelta {
    return this.#setState(roomId, 'm.room.member', userId, content)
  }

  setJoinRule(roomId: string, joinRule: string): StateDelta {
    return this.#setState(roomId, 'm.room.join_rules', '', { join_rule: joinRule })
  }

  setUser(userId: string, patch: Partial<FakeUser>): void {
    const user = this.users.find((u) => u.name === userId)
    if (user === undefined) throw new Error(`no user ${userId}`)
    Object.assign(user, patch)
  }

  /** Purges a room: it disappears from the list and its state answers 404. */
  deleteRoom(roomId: string): void {
    const index = this.rooms.findIndex((room) => room.room_id === roomId)
    this.rooms.splice(index, 1)
  }

  #setState(roomId: string, type: string, stateKey: string, content: Record<string, unknown>): StateDelta {
    const room = this.rooms.find((r) => r.room_id === roomId)
    if (room === undefined) throw new Error(`no room ${roomId}`)
    const event: FakeEvent = { type, state_key: stateKey, content, sender: stateKey.startsWith('@') ? stateKey : room.creator, event_id: `$live${this.#eventCounter++}` }
    const index = room.state.findIndex((e) => e.type === type && e.state_key === stateKey)
    if (index === -1) room.state.push(event)
    else room.state[index] = event
    return { room_id: roomId, type, state_key: stateKey, content, event_id: event.event_id }
  }

  // ---- the Admin API ----

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests.all++
    const url = new URL(req.url ?? '/', 'http://localhost')
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    if (token === undefined) return send(401, { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' })
    if (token === USER_TOKEN) return send(403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' })
    if (token !== ADMIN_TOKEN) return send(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false })
    const fault = this.#faults.find((f) => f.times > 0 && f.match(url.pathname + url.search))
    if (fault !== undefined) {
      fault.times--
      this.requests.refused++
      return send(fault.status, fault.body)
    }
    if (url.pathname === '/_synapse/admin/v2/users') return send(200, this.#usersPage(url.searchParams))
    if (url.pathname === '/_synapse/admin/v1/rooms') return send(200, this.#roomsPage(url.searchParams))
    const stateMatch = /^\/_synapse\/admin\/v1\/rooms\/([^/]+)\/state$/.exec(url.pathname)
    if (stateMatch !== null) {
      this.requests.state++
      const roomId = decodeURIComponent(stateMatch[1])
      const room = this.rooms.find((r) => r.room_id === roomId)
      if (room === undefined) return send(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
      // Read now, send after the hook: changes the hook makes are not in this answer.
      const body = JSON.stringify({ state: room.state.map((e) => ({ ...e, room_id: roomId, origin_server_ts: 1 })) })
      if (this.onRoomState !== null) await this.onRoomState(roomId)
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(body)
      return
    }
    send(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
  }

  #usersPage(params: URLSearchParams): unknown {
    this.requests.users++
    const from = Number(params.get('from') ?? 0)
    const limit = Number(params.get('limit') ?? 100)
    const list = this.users
      .filter((u) => (params.get('guests') !== 'false' || !u.is_guest) && (params.get('deactivated') === 'true' || !u.deactivated) && (params.get('locked') === 'true' || !u.locked))
      .sort((a, b) => (a.name < b.name ? -1 : 1))
    const page = list.slice(from, from + limit).map((u) => ({ ...u, admin: false, erased: false, shadow_banned: false, creation_ts: 1_560_432_668_000 }))
    const body: Record<string, unknown> = { users: page, total: list.length }
    if (from + limit < list.length) body.next_token = String(from + page.length)
    return body
  }

  #roomsPage(params: URLSearchParams): unknown {
    this.requests.rooms++
    const from = Number(params.get('from') ?? 0)
    const limit = Number(params.get('limit') ?? 100)
    const list = params.get('order_by') === 'creator' ? listOrder(this.rooms) : [...this.rooms].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.room_id < b.room_id ? -1 : 1))
    const page = list.slice(from, from + limit).map((r) => ({ room_id: r.room_id, name: r.name, creator: r.creator, joined_members: 0 }))
    const body: Record<string, unknown> = { rooms: page, offset: from, total_rooms: list.length }
    if (from + limit < list.length) body.next_batch = from + limit
    return body
  }
}

/** The rooms in the order the rooms list gives them with `order_by=creator` (the importer's order). */
export function listOrder(rooms: readonly FakeRoom[]): FakeRoom[] {
  return [...rooms].sort((a, b) => (a.creator < b.creator ? -1 : a.creator > b.creator ? 1 : a.room_id < b.room_id ? -1 : 1))
}

// Rules first, then local members, then remote ones: the order the importer documents.
function rank(event: FakeEvent): number {
  if (event.type !== 'm.room.member') return 0
  return event.state_key.endsWith(`:${SERVER_NAME}`) ? 1 : 2
}

/**
 * Feeds the homeserver's current state straight into a directory, rooms in
 * list order and each room's state in the importer's order: the reference
 * an import must match. (Remote profiles depend on the order rooms are
 * seen in, in Synapse as here, so the reference keeps the same order.)
 */
export async function feedDirectly(dir: UserDirectory, hs: FakeSynapse): Promise<void> {
  for (const user of [...hs.users].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (user.is_guest) continue
    await dir.registerLocalUser(user.name, { userType: user.user_type, deactivated: user.deactivated, locked: user.locked })
    await dir.handleLocalProfileChange(user.name, { displayName: user.displayname, avatarUrl: user.avatar_url })
  }
  const deltas: StateDelta[] = []
  for (const room of listOrder(hs.rooms)) {
    const events = room.state.map((event, index) => ({ event, index })).sort((a, b) => rank(a.event) - rank(b.event) || a.index - b.index)
    for (const { event } of events) deltas.push({ room_id: room.room_id, type: event.type, state_key: event.state_key, content: event.content })
  }
  await dir.ingest(deltas)
}
