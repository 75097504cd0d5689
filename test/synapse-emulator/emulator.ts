/**
 * An emulated Synapse homeserver, in process, over loopback HTTP: the test
 * bed for following a homeserver (issue 20) and for the import.
 *
 * State: local users (user type, appservice id, deactivated, locked, admin,
 * guest, creation ts, global profile), remote users (global profile), rooms
 * this server is in and rooms that so far exist only on other servers
 * ("federated"), their current state, and purged room ids.
 *
 * Operations are methods (`registerUser`, `setProfile`, `createRoom`, `join`,
 * `leave`, `invite`, `ban`, `addFederatedRoom`, `remoteMember`,
 * `remoteProfileChange`, `deactivate`, `reactivate`, `lock`, `unlock`,
 * `setJoinRule`, `setHistoryVisibility`, `purgeRoom`, …). Each creates the
 * events Synapse creates and hands them to every appservice whose namespaces
 * are interested, pushed as Synapse's scheduler pushes them (see
 * appservice-pusher.ts); `await emu.delivered()` waits until pushed.
 *
 * HTTP, in Synapse's shapes: `GET /_matrix/client/v3/account/whoami`,
 * `GET /_matrix/client/v3/profile/{userId}[/displayname|/avatar_url]`,
 * `POST /_matrix/client/v1/appservice/{id}/ping`, `GET /_synapse/admin/v2/users`,
 * `GET /_synapse/admin/v2/users/{userId}`, `GET /_synapse/admin/v1/rooms`,
 * `GET /_synapse/admin/v1/rooms/{roomId}/state`, `…/members`. Admin routes
 * need an admin user's token (`emu.adminToken`).
 *
 * Faults: `emu.fault({ route, status | delayMs | body, times })` per route
 * name or for all, `emu.goDown()` / `emu.comeBack()` (connection refused,
 * same port after). `emu.requests` logs every request with its route name.
 *
 * Each behaviour names where Synapse does it (element-hq/synapse paths).
 */
import { createServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AppservicePusher, matchesNamespace } from './appservice-pusher.js'
import type { EmulatedAppservice, PusherTiming } from './appservice-pusher.js'

export type { EmulatedAppservice, PushedTransaction } from './appservice-pusher.js'

export interface EmulatedUser {
  userId: string
  userType: string | null
  appserviceId: string | null
  isGuest: boolean
  admin: boolean
  deactivated: boolean
  locked: boolean
  erased: boolean
  /**
   * Seconds since the epoch, as `users.creation_ts` stores it: the users list
   * answers it ×1000 (`creation_ts * 1000` in `get_users_paginate`), the user
   * info as stored (`AdminHandler.get_user`): Synapse's own inconsistency.
   */
  creationTs: number
  displayName: string | null
  avatarUrl: string | null
  /** The user's access token (gone while deactivated, as Synapse deletes them). */
  accessToken: string | null
}

export interface RemoteUser {
  userId: string
  displayName: string | null
  avatarUrl: string | null
}

/** A state event as the Admin API and transactions carry it (client format). */
export interface EmulatedEvent {
  type: string
  state_key: string
  content: Record<string, unknown>
  sender: string
  room_id: string
  event_id: string
  origin_server_ts: number
}

export interface EmulatedRoom {
  roomId: string
  creator: string
  /** Current state, in the order entries first appeared; a replaced entry keeps its place. */
  state: EmulatedEvent[]
  /** False while the room exists only on other servers (no local user ever joined or was invited). */
  known: boolean
  /**
   * Remote changes made while no local user was joined: this server did not
   * see them (not in `state`, not pushed); the next local join brings them in
   * with the room's state, silently, as a first join does.
   */
  unseen: EmulatedEvent[]
}

/** Route names of the request log and of faults. */
export type RouteName =
  | 'whoami'
  | 'profile'
  | 'ping'
  | 'admin.users'
  | 'admin.user'
  | 'admin.rooms'
  | 'admin.room_state'
  | 'admin.room_members'
  | 'unknown'

export interface Fault {
  /** A route name, or '*' for every route. */
  route: RouteName | '*'
  /** Only requests whose path and query (`/_synapse/admin/v2/users?from=200…`) match. */
  match?: RegExp
  /** Answer with this status (429 gets `retry_after_ms`), instead of the real answer. */
  status?: number
  /** The error body sent with `status`. Default a Matrix error (`M_LIMIT_EXCEEDED` with `retry_after_ms` for a 429, else `M_UNKNOWN`). */
  body?: unknown
  /** For a 429: the `retry_after_ms` sent. Default 10. */
  retryAfterMs?: number
  /** Answer 200 with this raw text (e.g. not JSON) instead of the real answer. */
  rawBody?: string
  /** Wait this long before answering, ms. */
  delayMs?: number
  /** Never answer (the client's timeout ends it). */
  hang?: boolean
  /** How many requests it applies to; default every one until `clearFaults()`. */
  times?: number
}

export interface LoggedRequest {
  method: string
  path: string
  route: RouteName
  status: number
  faulted: boolean
  /** The request's Authorization header, as sent. */
  authorization: string | undefined
}

export interface EmulatorOptions {
  /** Default 'hs.test'. */
  serverName?: string
  /** Appservices registered with the homeserver. Default none. */
  appservices?: EmulatedAppservice[]
  /** How long after a deactivation the background parter sends the leaves, ms (Synapse: at once, in the background). Default 20. */
  partDelayMs?: number
  /** Scheduler timing; see `PusherTiming`. Defaults: back-off unit 10 ms, request timeout 2 s. */
  pusher?: Partial<PusherTiming>
  /** The admin's access token. Default `syt_admin_token`. */
  adminToken?: string
  /** Timestamp source for creation_ts and events. Default Date.now. */
  now?: () => number
}

const ADMIN_LOCALPART = 'admin'

export class SynapseEmulator {
  readonly serverName: string
  readonly users = new Map<string, EmulatedUser>()
  readonly remoteUsers = new Map<string, RemoteUser>()
  readonly rooms = new Map<string, EmulatedRoom>()
  readonly purgedRooms = new Set<string>()
  readonly appservices: AppservicePusher[]
  readonly requests: LoggedRequest[] = []
  /** The most requests of each route that were being answered at once. */
  readonly maxInFlight = new Map<string, number>()
  readonly #inFlight = new Map<string, number>()
  /** Called after a room's state was read, before it is sent: the homeserver may change meanwhile. */
  onRoomState: ((roomId: string) => Promise<void>) | null = null
  /** The base URL, `http://127.0.0.1:<port>`. */
  url = ''
  /** Access token of the server admin registered at start (`@admin:<serverName>`). */
  adminToken = ''
  readonly #partDelayMs: number
  readonly #timing: PusherTiming
  readonly #now: () => number
  #faults: (Fault & { left: number })[] = []
  #server: Server | null = null
  #port = 0
  #eventCounter = 0
  #roomCounter = 0
  #partTimers = new Set<NodeJS.Timeout>()
  /** Rooms joined with a partial-state join, until their state is complete. */
  readonly #partial = new Map<string, { done: Promise<void>; finish: () => void; timer: NodeJS.Timeout }>()
  /** Every valid access token → its user (a user has one per device). */
  readonly #tokens = new Map<string, string>()

  private constructor(options: EmulatorOptions) {
    this.serverName = options.serverName ?? 'hs.test'
    this.#partDelayMs = options.partDelayMs ?? 20
    this.#now = options.now ?? Date.now
    this.#timing = { backoffUnitMs: 10, requestTimeoutMs: 2_000, ...options.pusher }
    this.appservices = (options.appservices ?? []).map((reg) => new AppservicePusher(reg, this.#timing))
  }

  /** Starts listening on 127.0.0.1 (a free port) with one admin user registered. */
  static async start(options: EmulatorOptions = {}): Promise<SynapseEmulator> {
    const emu = new SynapseEmulator(options)
    await emu.#listen(0)
    emu.adminToken = emu.registerUser(ADMIN_LOCALPART, { admin: true, accessToken: options.adminToken }).accessToken ?? ''
    return emu
  }

  async stop(): Promise<void> {
    for (const timer of this.#partTimers) clearTimeout(timer)
    this.#partTimers.clear()
    for (const as of this.appservices) as.stop()
    for (const roomId of [...this.#partial.keys()]) this.completePartialState(roomId)
    await this.goDown()
  }

  /**
   * The homeserver is down: connections are refused and nothing is pushed
   * until `comeBack()`. State, queued events and held transactions are kept
   * (Synapse stores them: `appservice_txns`, and resumes with
   * `ApplicationServiceScheduler.start` → a recoverer per service with held ones).
   */
  async goDown(): Promise<void> {
    const server = this.#server
    if (server === null) return
    for (const as of this.appservices) as.pause()
    this.#server = null
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  /** Listens again on the same port. */
  async comeBack(): Promise<void> {
    if (this.#server !== null) return
    await this.#listen(this.#port)
    for (const as of this.appservices) as.resume()
  }

  // ---------------------------------------------------------------- faults

  fault(fault: Fault): void {
    this.#faults.push({ ...fault, left: fault.times ?? Number.POSITIVE_INFINITY })
  }

  clearFaults(): void {
    this.#faults = []
  }

  /** Requests logged for a route (all routes without one). */
  requestCount(route?: RouteName): number {
    return route === undefined ? this.requests.length : this.requests.filter((r) => r.route === route).length
  }

  // ---------------------------------------------------------------- users

  isLocal(userId: string): boolean {
    return userId.endsWith(`:${this.serverName}`)
  }

  /**
   * Registers a local user. The display name defaults to the localpart
   * (synapse/handlers/register.py `register_user`: `default_display_name = localpart`;
   * guests, whose localpart is generated, get `generated_localpart`).
   */
  registerUser(localpart: string, options: { displayName?: string | null; avatarUrl?: string | null; userType?: string | null; appserviceId?: string | null; admin?: boolean; guest?: boolean; creationTs?: number; accessToken?: string } = {}): EmulatedUser {
    const userId = `@${localpart}:${this.serverName}`
    if (this.users.has(userId)) throw new Error(`${userId} is already registered`)
    const guest = options.guest === true
    const user: EmulatedUser = {
      userId,
      userType: options.userType ?? null,
      appserviceId: options.appserviceId ?? null,
      isGuest: guest,
      admin: options.admin === true,
      deactivated: false,
      locked: false,
      erased: false,
      creationTs: options.creationTs ?? Math.floor(this.#now() / 1000),
      displayName: options.displayName !== undefined ? options.displayName : localpart,
      avatarUrl: options.avatarUrl ?? null,
      accessToken: options.accessToken ?? `syt_${localpart}_token`,
    }
    this.users.set(userId, user)
    if (user.accessToken !== null) this.#tokens.set(user.accessToken, userId)
    return user
  }

  /** Logs a local user in on one more device: `token` (default a fresh one) is valid for them from now on. */
  login(userId: string, token = `syt_${userId.slice(1).split(':')[0]}_${this.#tokens.size}`): string {
    this.user(userId)
    this.#tokens.set(token, userId)
    return token
  }

  /** Sets a remote user's global profile as their server would answer it (no event: see `remoteProfileChange`). */
  setRemoteProfile(userId: string, profile: { displayName: string | null; avatarUrl: string | null }): void {
    const remote = this.#rememberRemote(userId, profile.displayName, profile.avatarUrl)
    remote.displayName = profile.displayName
    remote.avatarUrl = profile.avatarUrl
  }

  user(userId: string): EmulatedUser {
    const user = this.users.get(userId)
    if (user === undefined) throw new Error(`no local user ${userId}`)
    return user
  }

  /**
   * Sets a local user's global profile, then a join→join member event into
   * each room the user is joined to, in room id order, the new profile filled in
   * (synapse/handlers/profile.py `set_displayname`/`set_avatar_url` → `_update_join_states`
   * → the scheduled `_update_join_states_task` → `update_membership(…, "join")`; Synapse runs
   * it as a background task, here it runs at once). An empty name is stored as none.
   */
  setProfile(userId: string, profile: { displayName?: string | null; avatarUrl?: string | null }): void {
    const user = this.user(userId)
    if (profile.displayName !== undefined) user.displayName = profile.displayName === '' ? null : profile.displayName
    if (profile.avatarUrl !== undefined) user.avatarUrl = profile.avatarUrl === '' ? null : profile.avatarUrl
    const rooms = [...this.rooms.values()].filter((room) => room.known && this.membership(room.roomId, userId) === 'join')
    for (const room of rooms.sort((a, b) => (a.roomId < b.roomId ? -1 : 1))) this.#localMember(room, userId, userId, 'join')
  }

  /**
   * Deactivates: tokens deleted, pending invites rejected at once, the user
   * marked deactivated; joined rooms are left later by the background parter
   * (synapse/handlers/deactivate_account.py `deactivate_account`,
   * `_reject_pending_invites_and_knocks_for_user`, `_user_parter_loop` → `_part_user`).
   * `erase` also deletes the profile (`delete_profile_upon_deactivation`).
   */
  deactivate(userId: string, options: { erase?: boolean } = {}): void {
    const user = this.user(userId)
    user.accessToken = null
    for (const [token, owner] of this.#tokens) if (owner === userId) this.#tokens.delete(token)
    if (options.erase === true) {
      user.displayName = null
      user.avatarUrl = null
      user.erased = true
    }
    for (const room of this.rooms.values()) {
      if (room.known && this.membership(room.roomId, userId) === 'invite') this.#localMember(room, userId, userId, 'leave')
    }
    user.deactivated = true
    const timer = setTimeout(() => {
      this.#partTimers.delete(timer)
      for (const room of this.rooms.values()) {
        if (room.known && this.membership(room.roomId, userId) === 'join') this.#localMember(room, userId, userId, 'leave')
      }
    }, this.#partDelayMs)
    this.#partTimers.add(timer)
  }

  /** Resolves once every background parting has run. */
  async partingDone(): Promise<void> {
    while (this.#partTimers.size > 0) await new Promise((resolve) => setTimeout(resolve, 5))
  }

  /**
   * Reactivates (admin API `PUT /_synapse/admin/v2/users` with `deactivated: false`):
   * marks the user active, rejoins nothing, pushes nothing
   * (synapse/handlers/deactivate_account.py `activate_account`). A new token is issued.
   */
  reactivate(userId: string): void {
    const user = this.user(userId)
    user.deactivated = false
    user.erased = false
    user.accessToken = this.login(userId)
  }

  /** Locks (admin API `PUT /_synapse/admin/v2/users`, `locked: true`): a flag only, no event (synapse/rest/admin/users.py `UserRestServletV2.on_PUT` → `set_user_locked_status`). */
  lock(userId: string): void {
    this.user(userId).locked = true
  }

  unlock(userId: string): void {
    this.user(userId).locked = false
  }

  // ---------------------------------------------------------------- rooms

  /**
   * Creates a local room: create, the creator's join, power levels, join
   * rules (public preset: public, private: invite), history visibility
   * (shared), optionally a name (synapse/handlers/room.py `_send_events_for_new_room`).
   */
  createRoom(creatorId: string, options: { isPublic?: boolean; historyVisibility?: string; name?: string; roomId?: string } = {}): string {
    this.user(creatorId)
    const roomId = options.roomId ?? `!r${++this.#roomCounter}x${Math.random().toString(36).slice(2, 8)}:${this.serverName}`
    const room: EmulatedRoom = { roomId, creator: creatorId, state: [], known: true, unseen: [] }
    this.rooms.set(roomId, room)
    this.#emit(room, this.#setState(room, 'm.room.create', '', { creator: creatorId, room_version: '10' }, creatorId))
    this.#localMember(room, creatorId, creatorId, 'join')
    this.#emit(room, this.#setState(room, 'm.room.power_levels', '', { users: { [creatorId]: 100 } }, creatorId))
    this.#emit(room, this.#setState(room, 'm.room.join_rules', '', { join_rule: options.isPublic === true ? 'public' : 'invite' }, creatorId))
    this.#emit(room, this.#setState(room, 'm.room.history_visibility', '', { history_visibility: options.historyVisibility ?? 'shared' }, creatorId))
    if (options.name !== undefined) this.#emit(room, this.#setState(room, 'm.room.name', '', { name: options.name }, creatorId))
    return roomId
  }

  /**
   * Loads a room this server is already in, with its current state as given
   * (history: nothing is pushed). For seeding a generated homeserver.
   */
  loadRoom(spec: { roomId: string; creator: string; state: { type: string; state_key: string; content: Record<string, unknown>; sender?: string }[] }): void {
    const room: EmulatedRoom = { roomId: spec.roomId, creator: spec.creator, state: [], known: true, unseen: [] }
    this.rooms.set(spec.roomId, room)
    for (const e of spec.state) this.#setState(room, e.type, e.state_key, e.content, e.sender ?? (e.state_key.startsWith('@') ? e.state_key : spec.creator))
  }

  /**
   * A room that already exists on another server, with its state and
   * members; this server knows nothing of it until a local user joins
   * (nothing is pushed now).
   */
  addFederatedRoom(spec: { roomId?: string; creator: string; joinRule?: string; historyVisibility?: string | null; name?: string; members: { userId: string; membership?: string; displayName?: string | null; avatarUrl?: string | null }[] }): string {
    const server = spec.creator.split(':').slice(1).join(':')
    const roomId = spec.roomId ?? `!f${++this.#roomCounter}:${server}`
    const room: EmulatedRoom = { roomId, creator: spec.creator, state: [], known: false, unseen: [] }
    this.rooms.set(roomId, room)
    this.#setState(room, 'm.room.create', '', { creator: spec.creator, room_version: '10' }, spec.creator)
    this.#setState(room, 'm.room.join_rules', '', { join_rule: spec.joinRule ?? 'public' }, spec.creator)
    if (spec.historyVisibility !== null) this.#setState(room, 'm.room.history_visibility', '', { history_visibility: spec.historyVisibility ?? 'shared' }, spec.creator)
    if (spec.name !== undefined) this.#setState(room, 'm.room.name', '', { name: spec.name }, spec.creator)
    for (const member of spec.members) {
      this.#rememberRemote(member.userId, member.displayName ?? null, member.avatarUrl ?? null)
      this.#setState(room, 'm.room.member', member.userId, memberContent(member.membership ?? 'join', member.displayName ?? null, member.avatarUrl ?? null), member.userId)
    }
    return roomId
  }

  /**
   * A local user joins. In a room known only remotely (a first join to a
   * federated room) the room's earlier state arrives with the join
   * (synapse/handlers/federation.py `do_invite_join` → `process_remote_join`), is
   * persisted as outliers/state and NOT pushed to appservices: only the join
   * event is (synapse/handlers/appservice.py `notify_interested_services` sees new events only).
   */
  join(roomId: string, userId: string, options: { partialStateMs?: number } = {}): void {
    const room = this.#room(roomId)
    const first = !room.known
    room.known = true
    // Rejoining a room this server had left: the state it missed arrives with the join, unpushed.
    if (!this.#hasLocalJoined(room)) for (const e of room.unseen.splice(0)) this.#setState(room, e.type, e.state_key, e.content, e.sender)
    this.#localMember(room, userId, userId, 'join')
    if (first && options.partialStateMs !== undefined) this.#startPartialState(room.roomId, options.partialStateMs)
  }

  /**
   * A partial-state ("faster") join: the full state arrives `ms` later by a
   * resync that pushes nothing. Meanwhile the Admin API's room state and
   * members requests wait for it (synapse/storage/controllers/state.py
   * `get_current_state_ids(await_full_state=True)` → `PartialStateRoomTracker.await_full_state`).
   */
  #startPartialState(roomId: string, ms: number): void {
    let finish = (): void => {}
    const done = new Promise<void>((resolve) => (finish = resolve))
    const timer = setTimeout(() => this.completePartialState(roomId), ms)
    this.#partial.set(roomId, { done, finish, timer })
  }

  /** Ends a partial-state join now (its resync is done). */
  completePartialState(roomId: string): void {
    const partial = this.#partial.get(roomId)
    if (partial === undefined) return
    clearTimeout(partial.timer)
    this.#partial.delete(roomId)
    partial.finish()
  }

  /** Whether a room's state is still partial. */
  isPartialState(roomId: string): boolean {
    return this.#partial.has(roomId)
  }

  leave(roomId: string, userId: string): void {
    this.#localMember(this.#room(roomId), userId, userId, 'leave')
  }

  /** `sender` invites `target` (local or remote); an invite carries the target's profile too (`_membership_types_to_include_profile_data_in`). */
  invite(roomId: string, sender: string, target: string): void {
    const room = this.#room(roomId)
    room.known = true
    if (this.isLocal(target)) this.#localMember(room, sender, target, 'invite')
    else this.#emit(room, this.#setState(room, 'm.room.member', target, { membership: 'invite' }, sender))
  }

  /** `sender` bans `target`: the ban carries no profile. */
  ban(roomId: string, sender: string, target: string): void {
    const room = this.#room(roomId)
    this.#emit(room, this.#setState(room, 'm.room.member', target, { membership: 'ban' }, sender))
  }

  /**
   * A remote user's membership (join, leave, …) arriving over federation
   * with the profile the remote server put in. Pushed only if this server
   * is in the room; stored in the room's state either way.
   */
  remoteMember(roomId: string, userId: string, membership: string, profile: { displayName?: string | null; avatarUrl?: string | null } = {}): void {
    if (this.isLocal(userId)) throw new Error(`${userId} is local; use join/leave`)
    const room = this.#room(roomId)
    const remote = this.#rememberRemote(userId, profile.displayName ?? null, profile.avatarUrl ?? null)
    const withProfile = membership === 'join'
    const displayName = profile.displayName !== undefined ? profile.displayName : withProfile ? remote.displayName : null
    const avatarUrl = profile.avatarUrl !== undefined ? profile.avatarUrl : withProfile ? remote.avatarUrl : null
    const content = memberContent(membership, displayName, avatarUrl)
    if (room.known && !this.#hasLocalJoined(room)) {
      // This server is not in the room: it does not see the event.
      room.unseen = room.unseen.filter((e) => !(e.type === 'm.room.member' && e.state_key === userId))
      room.unseen.push({ type: 'm.room.member', state_key: userId, content, sender: userId, room_id: room.roomId, event_id: `$ev${++this.#eventCounter}`, origin_server_ts: this.#now() })
      return
    }
    const event = this.#setState(room, 'm.room.member', userId, content, userId)
    if (room.known) this.#emit(room, event)
  }

  /** A remote user changes their global profile: their server sends join→join events into each room they are in. */
  remoteProfileChange(userId: string, profile: { displayName: string | null; avatarUrl: string | null }): void {
    const remote = this.#rememberRemote(userId, profile.displayName, profile.avatarUrl)
    remote.displayName = profile.displayName
    remote.avatarUrl = profile.avatarUrl
    for (const room of this.rooms.values()) {
      const unseen = room.unseen.find((e) => e.type === 'm.room.member' && e.state_key === userId)
      const membership = unseen !== undefined ? unseen.content.membership : this.membership(room.roomId, userId)
      if (membership === 'join') this.remoteMember(room.roomId, userId, 'join', profile)
    }
  }

  setJoinRule(roomId: string, joinRule: string, sender?: string): void {
    const room = this.#room(roomId)
    this.#emit(room, this.#setState(room, 'm.room.join_rules', '', { join_rule: joinRule }, sender ?? room.creator))
  }

  setHistoryVisibility(roomId: string, visibility: string, sender?: string): void {
    const room = this.#room(roomId)
    this.#emit(room, this.#setState(room, 'm.room.history_visibility', '', { history_visibility: visibility }, sender ?? room.creator))
  }

  /** Any other state event (pushed as is). */
  setState(roomId: string, type: string, stateKey: string, content: Record<string, unknown>, sender?: string): EmulatedEvent {
    const room = this.#room(roomId)
    const event = this.#setState(room, type, stateKey, content, sender ?? room.creator)
    this.#emit(room, event)
    return event
  }

  /**
   * Purges a room (admin API `DELETE /_synapse/admin/v2/rooms/{roomId}` with purge):
   * local members are kicked (leave events, pushed) and the room is deleted;
   * its state then answers 404 (synapse/handlers/room.py `RoomShutdownHandler.shutdown_room`,
   * synapse/handlers/pagination.py `purge_room`).
   */
  purgeRoom(roomId: string): void {
    const room = this.#room(roomId)
    for (const event of [...room.state]) {
      if (event.type === 'm.room.member' && this.isLocal(event.state_key) && event.content.membership === 'join') {
        this.#emit(room, this.#setState(room, 'm.room.member', event.state_key, { membership: 'leave' }, event.state_key))
      }
    }
    this.rooms.delete(roomId)
    this.purgedRooms.add(roomId)
  }

  membership(roomId: string, userId: string): string | null {
    const event = this.rooms.get(roomId)?.state.find((e) => e.type === 'm.room.member' && e.state_key === userId)
    const membership = event?.content.membership
    return typeof membership === 'string' ? membership : null
  }

  // ---------------------------------------------------------------- appservice push

  /** Resolves once every appservice has acknowledged everything created so far (after pending partings). */
  async delivered(timeoutMs = 5_000): Promise<void> {
    await this.partingDone()
    await Promise.all(this.appservices.map((as) => as.idle(timeoutMs)))
  }

  /** Registers one more appservice (e.g. a service started after the emulator, once its URL is known); events from now on are pushed to it. */
  addAppservice(registration: EmulatedAppservice): AppservicePusher {
    const pusher = new AppservicePusher(registration, this.#timing)
    this.appservices.push(pusher)
    return pusher
  }

  /** Every event delivered to the appservice with this id (default the first). */
  pushedEvents(appserviceId?: string): Record<string, unknown>[] {
    return this.#appservice(appserviceId).deliveredEvents()
  }

  #appservice(id: string | undefined): AppservicePusher {
    const found = id === undefined ? this.appservices[0] : this.appservices.find((a) => a.registration.id === id)
    if (found === undefined) throw new Error(`no appservice ${id ?? '(none registered)'}`)
    return found
  }

  // ---------------------------------------------------------------- internals

  #room(roomId: string): EmulatedRoom {
    const room = this.rooms.get(roomId)
    if (room === undefined) throw new Error(`no room ${roomId}${this.purgedRooms.has(roomId) ? ' (purged)' : ''}`)
    return room
  }

  #hasLocalJoined(room: EmulatedRoom): boolean {
    return room.state.some((e) => e.type === 'm.room.member' && this.isLocal(e.state_key) && e.content.membership === 'join')
  }

  #rememberRemote(userId: string, displayName: string | null, avatarUrl: string | null): RemoteUser {
    let remote = this.remoteUsers.get(userId)
    if (remote === undefined) {
      remote = { userId, displayName, avatarUrl }
      this.remoteUsers.set(userId, remote)
    }
    return remote
  }

  // A local membership: join and invite get the target's global profile filled in
  // (synapse/handlers/room_member.py `update_membership_locked`, "Add profile data for joins etc").
  #localMember(room: EmulatedRoom, sender: string, target: string, membership: string): void {
    const user = this.user(target)
    const withProfile = membership === 'join' || membership === 'invite' || membership === 'knock'
    const content = withProfile ? memberContent(membership, user.displayName, user.avatarUrl) : { membership }
    this.#emit(room, this.#setState(room, 'm.room.member', target, content, sender))
  }

  #setState(room: EmulatedRoom, type: string, stateKey: string, content: Record<string, unknown>, sender: string): EmulatedEvent {
    const event: EmulatedEvent = { type, state_key: stateKey, content, sender, room_id: room.roomId, event_id: `$ev${++this.#eventCounter}`, origin_server_ts: this.#now() }
    const index = room.state.findIndex((e) => e.type === type && e.state_key === stateKey)
    const previous = index === -1 ? undefined : room.state[index]
    if (index === -1) room.state.push(event)
    else room.state[index] = event
    prevOf.set(event, previous)
    return event
  }

  // synapse/handlers/appservice.py `notify_interested_services` → `ApplicationService.is_interested_in_event`
  // (synapse/appservice/__init__.py): the room id matches a rooms namespace, the sender or
  // a member event's state key matches a users namespace or is the AS's sender, or a
  // local member of the room does (`_matches_user_in_member_list`).
  #emit(room: EmulatedRoom, event: EmulatedEvent): void {
    if (!room.known) return
    const serialized = this.#serialize(event)
    for (const as of this.appservices) {
      if (this.#interested(as.registration, room, event)) as.enqueue(serialized)
    }
  }

  #interested(reg: EmulatedAppservice, room: EmulatedRoom, event: EmulatedEvent): boolean {
    const sender = `@${reg.sender_localpart}:${this.serverName}`
    const isUser = (id: string): boolean => id === sender || matchesNamespace(reg.namespaces.users, id)
    if (matchesNamespace(reg.namespaces.rooms, room.roomId)) return true
    if (isUser(event.sender)) return true
    if (event.type === 'm.room.member' && isUser(event.state_key)) return true
    return room.state.some((e) => e.type === 'm.room.member' && e.content.membership === 'join' && this.isLocal(e.state_key) && isUser(e.state_key))
  }

  // The client event format Synapse sends appservices (ClientV1, synapse/appservice/api.py `_serialize`):
  // `user_id` and `age` at the top, `replaces_state`/`prev_content` both at the top and in `unsigned`.
  #serialize(event: EmulatedEvent): Record<string, unknown> {
    const previous = prevOf.get(event)
    const age = Math.max(0, this.#now() - event.origin_server_ts)
    const unsigned: Record<string, unknown> = { age }
    const out: Record<string, unknown> = { ...event, content: structuredClone(event.content), user_id: event.sender, age }
    if (previous !== undefined) {
      unsigned.replaces_state = previous.event_id
      unsigned.prev_content = structuredClone(previous.content)
      unsigned.prev_sender = previous.sender
      out.replaces_state = previous.event_id
      out.prev_content = unsigned.prev_content
    }
    out.unsigned = unsigned
    return out
  }

  async #listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' })
        res.end(JSON.stringify({ errcode: 'M_UNKNOWN', error: String(error) }))
      })
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.#server = server
    this.#port = (server.address() as AddressInfo).port
    this.url = `http://127.0.0.1:${this.#port}`
  }

  // ---------------------------------------------------------------- HTTP

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const method = req.method ?? 'GET'
    const body = await readBody(req)
    const route = routeOf(method, url.pathname)
    const entry: LoggedRequest = { method, path: url.pathname + url.search, route, status: 0, faulted: false, authorization: req.headers.authorization }
    this.requests.push(entry)
    const inFlight = (this.#inFlight.get(route) ?? 0) + 1
    this.#inFlight.set(route, inFlight)
    if (inFlight > (this.maxInFlight.get(route) ?? 0)) this.maxInFlight.set(route, inFlight)
    res.once('close', () => this.#inFlight.set(route, (this.#inFlight.get(route) ?? 1) - 1))
    const send = (status: number, payload: unknown): void => {
      entry.status = status
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(payload))
    }
    const fault = this.#faults.find((f) => f.left > 0 && (f.route === '*' || f.route === route) && (f.match === undefined || f.match.test(entry.path)))
    if (fault !== undefined) {
      fault.left--
      if (fault.hang === true) {
        entry.faulted = true
        return
      }
      if (fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs))
      if (fault.status !== undefined) {
        entry.faulted = true
        if (fault.body !== undefined) return send(fault.status, fault.body)
        // Synapse's rate limiter: 429 M_LIMIT_EXCEEDED with retry_after_ms (synapse/api/ratelimiting.py `ratelimit`).
        if (fault.status === 429) return send(429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: fault.retryAfterMs ?? 10 })
        return send(fault.status, { errcode: 'M_UNKNOWN', error: `emulated failure ${fault.status}` })
      }
      if (fault.rawBody !== undefined) {
        entry.faulted = true
        entry.status = 200
        res.writeHead(200, { 'Content-Type': 'text/html' })
        res.end(fault.rawBody)
        return
      }
    }
    const notFound = (error = 'Unrecognized request'): void => send(404, { errcode: route === 'unknown' ? 'M_UNRECOGNIZED' : 'M_NOT_FOUND', error })
    if (route === 'unknown') return notFound()
    const segments = url.pathname.split('/').map((s) => decodeURIComponent(s))

    if (route === 'profile') return this.#profile(segments, send)
    const auth = this.#authenticate(req, url)
    if ('error' in auth) return send(auth.status, auth.error)
    if (route === 'whoami') {
      // synapse/rest/client/account.py `WhoamiRestServlet`.
      if (auth.appservice !== null) return send(200, { user_id: auth.userId, is_guest: false })
      return send(200, { user_id: auth.userId, is_guest: auth.isGuest, device_id: 'EMULATED' })
    }
    if (route === 'ping') return this.#ping(segments[5], auth.appservice, body, send)
    // synapse/api/auth/__init__.py `assert_requester_is_admin`.
    if (!auth.admin) return send(403, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' })
    if (route === 'admin.users') return send(200, this.#usersPage(url.searchParams))
    if (route === 'admin.user') {
      const userId = segments[5]
      // synapse/rest/admin/users.py `UserRestServletV2Get.on_GET`.
      if (!this.isLocal(userId)) return send(400, { errcode: 'M_UNKNOWN', error: 'Can only look up local users' })
      const user = this.users.get(userId)
      if (user === undefined) return send(404, { errcode: 'M_NOT_FOUND', error: 'User not found' })
      return send(200, this.#userInfo(user))
    }
    if (route === 'admin.rooms') return send(200, this.#roomsPage(url.searchParams))
    const room = this.rooms.get(segments[5])
    // synapse/rest/admin/rooms.py `RoomStateRestServlet`/`RoomMembersRestServlet`: 404 "Room not found".
    if (room === undefined || !room.known) return send(404, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
    await this.#partial.get(room.roomId)?.done
    if (route === 'admin.room_members') {
      const members = room.state.filter((e) => e.type === 'm.room.member' && e.content.membership === 'join').map((e) => e.state_key)
      return send(200, { members, total: members.length })
    }
    const text = JSON.stringify({ state: room.state.map((e) => this.#serialize(e)) })
    if (this.onRoomState !== null) await this.onRoomState(room.roomId)
    entry.status = 200
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end(text)
  }

  #authenticate(req: IncomingMessage, url: URL): { userId: string; isGuest: boolean; admin: boolean; appservice: EmulatedAppservice | null } | { status: number; error: unknown } {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('access_token') ?? undefined
    // synapse/api/auth/internal.py `get_user_by_req` / `get_user_by_access_token`.
    if (token === undefined) return { status: 401, error: { errcode: 'M_MISSING_TOKEN', error: 'Missing access token' } }
    const as = this.appservices.find((a) => a.registration.as_token === token)
    if (as !== undefined) {
      const userId = url.searchParams.get('user_id') ?? `@${as.registration.sender_localpart}:${this.serverName}`
      return { userId, isGuest: false, admin: false, appservice: as.registration }
    }
    const user = this.users.get(this.#tokens.get(token) ?? '')
    if (user !== undefined) {
      // synapse/api/auth/base.py: a locked user's token answers 401 M_USER_LOCKED (soft logout).
      if (user.locked && !user.admin) return { status: 401, error: { errcode: 'M_USER_LOCKED', error: 'User account has been locked', soft_logout: true } }
      return { userId: user.userId, isGuest: user.isGuest, admin: user.admin, appservice: null }
    }
    return { status: 401, error: { errcode: 'M_UNKNOWN_TOKEN', error: 'Invalid access token passed.', soft_logout: false } }
  }

  // synapse/rest/client/profile.py `ProfileRestServlet` → synapse/handlers/profile.py `get_profile`:
  // the stored profile, null fields left out; 404 "Profile was not found" for an unknown user or
  // one with neither name nor avatar (a remote user's server answers the same way).
  #profile(segments: string[], send: (status: number, body: unknown) => void): void {
    const userId = segments[5]
    const field = segments[6]
    let profile: { displayName: string | null; avatarUrl: string | null } | undefined
    if (this.isLocal(userId)) profile = this.users.get(userId)
    else profile = this.remoteUsers.get(userId)
    if (profile === undefined || (field === undefined && profile.displayName === null && profile.avatarUrl === null)) return send(404, { errcode: 'M_NOT_FOUND', error: 'Profile was not found' })
    const body: Record<string, string> = {}
    if (profile.displayName !== null) body.displayname = profile.displayName
    if (profile.avatarUrl !== null) body.avatar_url = profile.avatarUrl
    if (field === 'displayname') return send(200, profile.displayName === null ? {} : { displayname: profile.displayName })
    if (field === 'avatar_url') return send(200, profile.avatarUrl === null ? {} : { avatar_url: profile.avatarUrl })
    send(200, body)
  }

  // synapse/rest/client/appservice_ping.py `AppservicePingRestServlet.on_POST`: pings the AS's
  // `POST /_matrix/app/v1/ping` with the hs_token; on success `self.scheduler.txn_ctrl.force_retry(app_service)`
  // (Synapse ≥ 1.132, PR #18521; scheduler.py `_Recoverer.force_retry` cancels the back-off and retries now).
  async #ping(appserviceId: string, requesterAs: EmulatedAppservice | null, body: string, send: (status: number, payload: unknown) => void): Promise<void> {
    if (requesterAs === null) return send(403, { errcode: 'M_FORBIDDEN', error: 'Only application services can use the /appservice/ping endpoint' })
    if (requesterAs.id !== appserviceId) return send(403, { errcode: 'M_FORBIDDEN', error: 'Mismatching application service ID in path' })
    if (requesterAs.url === null) return send(400, { errcode: 'M_URL_NOT_SET', error: 'The application service does not have a URL set' })
    let txnId: unknown
    try {
      txnId = body === '' ? undefined : (JSON.parse(body) as Record<string, unknown>).transaction_id
    } catch {
      return send(400, { errcode: 'M_NOT_JSON', error: 'Content not JSON.' })
    }
    const start = performance.now()
    try {
      const response = await fetch(`${requesterAs.url}/_matrix/app/v1/ping`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${requesterAs.hs_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(txnId === undefined ? {} : { transaction_id: txnId }),
        signal: AbortSignal.timeout(2_000),
      })
      const text = await response.text()
      if (response.status < 200 || response.status >= 300) return send(502, { errcode: 'M_BAD_STATUS', error: `HTTP ${response.status} ${response.statusText}`, status: response.status, body: text })
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') return send(504, { errcode: 'M_CONNECTION_TIMEOUT', error: 'Timed out' })
      return send(502, { errcode: 'M_CONNECTION_FAILED', error: String(error) })
    }
    this.appservices.find((a) => a.registration === requesterAs)?.forceRetry()
    send(200, { duration_ms: Math.round(performance.now() - start) })
  }

  #userInfo(user: EmulatedUser): Record<string, unknown> {
    // synapse/handlers/admin.py `AdminHandler.get_user`.
    return {
      name: user.userId,
      admin: user.admin,
      deactivated: user.deactivated,
      locked: user.locked,
      shadow_banned: false,
      creation_ts: user.creationTs,
      appservice_id: user.appserviceId,
      consent_server_notice_sent: null,
      consent_version: null,
      consent_ts: null,
      user_type: user.userType,
      is_guest: user.isGuest,
      suspended: false,
      displayname: user.displayName,
      avatar_url: user.avatarUrl,
      threepids: [],
      external_ids: [],
      erased: user.erased,
      last_seen_ts: null,
    }
  }

  // synapse/rest/admin/users.py `UsersRestServletV2.on_GET` → synapse/storage/databases/main/__init__.py
  // `get_users_paginate`: filters, `ORDER BY {order_by} {dir}, name ASC`, OFFSET/LIMIT;
  // `next_token` = str(from + page length) while from + limit < total.
  #usersPage(params: URLSearchParams): Record<string, unknown> {
    const from = Number(params.get('from') ?? 0)
    const limit = Number(params.get('limit') ?? 100)
    const bool = (name: string): boolean | null => (params.has(name) ? params.get(name) === 'true' : null)
    const userIdLike = params.get('user_id')
    const name = params.get('name')
    const guests = bool('guests') ?? true
    const deactivated = bool('deactivated') === true ? null : false
    const locked = bool('locked') === true
    const admins = bool('admins')
    const notUserTypes = params.getAll('not_user_type')
    const orderBy = params.get('order_by') ?? 'name'
    const backwards = params.get('dir') === 'b'
    const list = [...this.users.values()].filter((u) => {
      if (userIdLike !== null && !u.userId.includes(userIdLike)) return false
      if (name !== null && !u.userId.includes(name) && !(u.displayName ?? '').toLowerCase().includes(name.toLowerCase())) return false
      if (!guests && u.isGuest) return false
      if (deactivated === false && u.deactivated) return false
      if (!locked && u.locked) return false
      if (admins !== null && u.admin !== admins) return false
      if (notUserTypes.length === 1 && notUserTypes[0] === '') return u.userType !== null
      if (notUserTypes.length > 0) {
        if (u.userType === null) return !notUserTypes.includes('')
        return !notUserTypes.includes(u.userType)
      }
      return true
    })
    const key = (u: EmulatedUser): string | number | null => {
      switch (orderBy) {
        case 'displayname': return u.displayName
        case 'is_guest': return Number(u.isGuest)
        case 'admin': return Number(u.admin)
        case 'deactivated': return Number(u.deactivated)
        case 'locked': return Number(u.locked)
        case 'user_type': return u.userType
        case 'avatar_url': return u.avatarUrl
        case 'shadow_banned': return 0
        case 'creation_ts': return u.creationTs
        case 'last_seen_ts': return null
        default: return u.userId
      }
    }
    list.sort((a, b) => {
      const primary = compareSql(key(a), key(b)) * (backwards ? -1 : 1)
      return primary !== 0 ? primary : a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0
    })
    const page = list.slice(from, from + limit).map((u) => ({
      name: u.userId,
      user_type: u.userType,
      is_guest: u.isGuest,
      admin: u.admin,
      deactivated: u.deactivated,
      shadow_banned: false,
      displayname: u.displayName,
      avatar_url: u.avatarUrl,
      creation_ts: u.creationTs * 1000,
      last_seen_ts: null,
      locked: u.locked,
      erased: u.erased,
    }))
    const out: Record<string, unknown> = { users: page, total: list.length }
    if (from + limit < list.length) out.next_token = String(from + page.length)
    return out
  }

  // synapse/rest/admin/rooms.py `ListRoomRestServlet.on_GET` → `get_rooms_paginate`: rooms this server
  // knows; `next_batch` = from + limit while more remain, `prev_batch` when from > 0; ties by room id.
  #roomsPage(params: URLSearchParams): Record<string, unknown> {
    const from = Number(params.get('from') ?? 0)
    const limit = Number(params.get('limit') ?? 100)
    const orderBy = params.get('order_by') ?? 'name'
    const backwards = params.get('dir') === 'b'
    const rows = [...this.rooms.values()].filter((r) => r.known).map((room) => this.#roomRow(room))
    const key = (row: Record<string, unknown>): string | number | null => {
      const value = row[orderBy === 'size' ? 'joined_members' : orderBy] ?? null
      return typeof value === 'boolean' ? Number(value) : (value as string | number | null)
    }
    rows.sort((a, b) => {
      const primary = compareSql(key(a), key(b)) * (backwards ? -1 : 1)
      return primary !== 0 ? primary : String(a.room_id) < String(b.room_id) ? -1 : 1
    })
    const page = rows.slice(from, from + limit)
    const out: Record<string, unknown> = { rooms: page, offset: from, total_rooms: rows.length }
    if (from + limit < rows.length) out.next_batch = from + limit
    if (from > 0) out.prev_batch = Math.max(0, from - limit)
    return out
  }

  #roomRow(room: EmulatedRoom): Record<string, unknown> {
    const get = (type: string, field: string): unknown => room.state.find((e) => e.type === type && e.state_key === '')?.content[field] ?? null
    const joined = room.state.filter((e) => e.type === 'm.room.member' && e.content.membership === 'join')
    return {
      room_id: room.roomId,
      name: get('m.room.name', 'name'),
      canonical_alias: get('m.room.canonical_alias', 'alias'),
      joined_members: joined.length,
      joined_local_members: joined.filter((e) => this.isLocal(e.state_key)).length,
      version: '10',
      creator: room.creator,
      encryption: get('m.room.encryption', 'algorithm'),
      federatable: true,
      public: false,
      join_rules: get('m.room.join_rules', 'join_rule'),
      guest_access: get('m.room.guest_access', 'guest_access'),
      history_visibility: get('m.room.history_visibility', 'history_visibility'),
      state_events: room.state.length,
      room_type: null,
    }
  }
}

const prevOf = new WeakMap<EmulatedEvent, EmulatedEvent | undefined>()

function memberContent(membership: string, displayName: string | null, avatarUrl: string | null): Record<string, unknown> {
  const content: Record<string, unknown> = { membership }
  if (displayName !== null) content.displayname = displayName
  if (avatarUrl !== null) content.avatar_url = avatarUrl
  return content
}

// SQL ordering: NULLs last ascending (PostgreSQL's default), numbers by value, strings by
// code unit (the C collation; a database with another collation orders mixed case differently).
function compareSql(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0
  if (a === null) return 1
  if (b === null) return -1
  return a < b ? -1 : 1
}

function routeOf(method: string, path: string): RouteName {
  if (method === 'GET' && path === '/_matrix/client/v3/account/whoami') return 'whoami'
  if (method === 'GET' && /^\/_matrix\/client\/v3\/profile\/[^/]+(\/(displayname|avatar_url))?$/.test(path)) return 'profile'
  if (method === 'POST' && /^\/_matrix\/client\/v1\/appservice\/[^/]+\/ping$/.test(path)) return 'ping'
  if (method === 'GET' && path === '/_synapse/admin/v2/users') return 'admin.users'
  if (method === 'GET' && /^\/_synapse\/admin\/v2\/users\/[^/]+$/.test(path)) return 'admin.user'
  if (method === 'GET' && path === '/_synapse/admin/v1/rooms') return 'admin.rooms'
  if (method === 'GET' && /^\/_synapse\/admin\/v1\/rooms\/[^/]+\/state$/.test(path)) return 'admin.room_state'
  if (method === 'GET' && /^\/_synapse\/admin\/v1\/rooms\/[^/]+\/members$/.test(path)) return 'admin.room_members'
  return 'unknown'
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
