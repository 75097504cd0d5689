import { UserDirectory } from '../directory/index.js'
import type { DirectoryTables, SearchResults, UserDirectoryOptions } from '../directory/index.js'
import type { StateDelta } from '../rooms/index.js'
import { FakeClock } from './fake-clock.js'

/** Options of {@link TestHomeserver.create}: those of `UserDirectory.open` except `clock`; `serverName` defaults to `"test"`. */
export type TestHomeserverOptions = Partial<Omit<UserDirectoryOptions, 'clock'>>

interface TestUser {
  displayName: string | null
  avatarUrl: string | null
  deactivated: boolean
}

/**
 * A tiny homeserver for tests: it keeps users, global profiles and room
 * memberships, turns room operations into the state deltas a real server
 * would emit, and feeds them to an embedded {@link UserDirectory} whose
 * clock is fake.
 *
 * @example
 * const hs = await TestHomeserver.create()
 * const alice = await hs.registerUser('alice')
 * const room = await hs.createRoom(alice, { isPublic: true })
 * await hs.search(alice, 'ali')
 */
export class TestHomeserver {
  readonly serverName: string
  readonly directory: UserDirectory
  readonly clock: FakeClock
  #users = new Map<string, TestUser>()
  #memberships = new Map<string, Map<string, string>>()
  #roomCounter = 0
  #eventCounter = 0
  #position = 0
  #paused: StateDelta[] | undefined

  private constructor(serverName: string, directory: UserDirectory, clock: FakeClock) {
    this.serverName = serverName
    this.directory = directory
    this.clock = clock
  }

  static async create(options: TestHomeserverOptions = {}): Promise<TestHomeserver> {
    const clock = new FakeClock()
    const serverName = options.serverName ?? 'test'
    const directory = await UserDirectory.open({ ...options, serverName, clock })
    return new TestHomeserver(serverName, directory, clock)
  }

  /** Registers `@localpart:server`; its display name defaults to the localpart, as on Synapse. */
  async registerUser(localpart: string, options: { userType?: string | null; appserviceId?: string; locked?: boolean; displayName?: string | null } = {}): Promise<string> {
    const userId = `@${localpart}:${this.serverName}`
    const displayName = options.displayName === undefined ? localpart : options.displayName
    this.#users.set(userId, { displayName, avatarUrl: null, deactivated: false })
    await this.directory.registerLocalUser(userId, { userType: options.userType ?? null, locked: options.locked ?? false })
    await this.directory.handleLocalProfileChange(userId, { displayName, avatarUrl: null })
    return userId
  }

  /** Changes a local user's global profile; their member events are updated in every joined room, as Synapse does. */
  async setProfile(userId: string, profile: { displayName?: string | null; avatarUrl?: string | null }): Promise<void> {
    const user = this.#user(userId)
    if (profile.displayName !== undefined) user.displayName = profile.displayName
    if (profile.avatarUrl !== undefined) user.avatarUrl = profile.avatarUrl
    await this.directory.handleLocalProfileChange(userId, { displayName: user.displayName, avatarUrl: user.avatarUrl })
    for (const [roomId, members] of this.#memberships) {
      if (members.get(userId) === 'join') await this.#emit(this.#memberDelta(roomId, userId, 'join'))
    }
  }

  /** Creates a room: the creator's join, then `join_rules` (public or invite) and `history_visibility: shared`. */
  async createRoom(creator: string, options: { isPublic?: boolean } = {}): Promise<string> {
    const roomId = `!room${++this.#roomCounter}:${this.serverName}`
    this.#memberships.set(roomId, new Map())
    await this.#emit(this.#memberDelta(roomId, creator, 'join'))
    await this.#emit(this.#stateDelta(roomId, 'm.room.join_rules', { join_rule: options.isPublic === true ? 'public' : 'invite' }))
    await this.#emit(this.#stateDelta(roomId, 'm.room.history_visibility', { history_visibility: 'shared' }))
    return roomId
  }

  async join(roomId: string, userId: string): Promise<void> {
    await this.#emit(this.#memberDelta(roomId, userId, 'join'))
  }

  async invite(roomId: string, _sender: string, target: string): Promise<void> {
    await this.#emit(this.#memberDelta(roomId, target, 'invite'))
  }

  async ban(roomId: string, _sender: string, target: string): Promise<void> {
    await this.#emit(this.#memberDelta(roomId, target, 'ban'))
  }

  async leave(roomId: string, userId: string): Promise<void> {
    await this.#emit(this.#memberDelta(roomId, userId, 'leave'))
  }

  /** Sends any state event. */
  async sendState(roomId: string, type: string, content: Record<string, unknown> | null, stateKey = ''): Promise<void> {
    await this.#emit(this.#stateDelta(roomId, type, content, stateKey))
  }

  /** Injects a member event for any user (remote ones included) with extra content such as a per-room `displayname`. */
  async injectMemberEvent(roomId: string, userId: string, membership: string, extraContent: Record<string, unknown> = {}): Promise<void> {
    this.#membersOf(roomId).set(userId, membership)
    await this.#emit({ room_id: roomId, type: 'm.room.member', state_key: userId, content: { ...extraContent, membership }, event_id: this.#eventId() })
  }

  /** Deactivates a local user: marked deactivated, removed from the directory, then they leave every room. */
  async deactivate(userId: string): Promise<void> {
    this.#user(userId).deactivated = true
    await this.directory.setUserDeactivated(userId, true)
    await this.directory.handleLocalUserDeactivated(userId)
    for (const [roomId, members] of this.#memberships) {
      if (members.get(userId) === 'join') await this.leave(roomId, userId)
    }
  }

  /** Reactivates a local user and re-announces their global profile. */
  async reactivate(userId: string): Promise<void> {
    const user = this.#user(userId)
    user.deactivated = false
    await this.directory.setUserDeactivated(userId, false)
    await this.directory.handleLocalProfileChange(userId, { displayName: user.displayName, avatarUrl: user.avatarUrl })
  }

  async setLocked(userId: string, locked: boolean): Promise<void> {
    await this.directory.setUserLocked(userId, locked)
  }

  async search(userId: string, term: string, limit = 10, options: { explain?: boolean } = {}): Promise<SearchResults> {
    return this.directory.search(userId, term, limit, options)
  }

  tables(): DirectoryTables {
    return this.directory.tables()
  }

  /** Advances the fake clock, running due timers (profile refreshes). */
  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms)
  }

  /** From now on, state deltas queue up instead of reaching the directory. */
  pauseDirectory(): void {
    this.#paused ??= []
  }

  /** Delivers the queued deltas as one batch and resumes normal delivery. */
  async resumeDirectory(): Promise<void> {
    const queued = this.#paused ?? []
    this.#paused = undefined
    if (queued.length > 0) await this.directory.ingest(queued, { position: ++this.#position })
  }

  async close(): Promise<void> {
    await this.directory.close()
  }

  #user(userId: string): TestUser {
    const user = this.#users.get(userId)
    if (user === undefined) throw new Error(`${userId} is not a user of this test homeserver`)
    return user
  }

  #membersOf(roomId: string): Map<string, string> {
    let members = this.#memberships.get(roomId)
    if (members === undefined) this.#memberships.set(roomId, (members = new Map()))
    return members
  }

  #memberDelta(roomId: string, userId: string, membership: string): StateDelta {
    this.#membersOf(roomId).set(userId, membership)
    const user = this.#users.get(userId)
    const content: Record<string, unknown> = { membership }
    if (membership === 'join' && user !== undefined) {
      if (user.displayName !== null) content.displayname = user.displayName
      if (user.avatarUrl !== null) content.avatar_url = user.avatarUrl
    }
    return { room_id: roomId, type: 'm.room.member', state_key: userId, content, event_id: this.#eventId() }
  }

  #stateDelta(roomId: string, type: string, content: Record<string, unknown> | null, stateKey = ''): StateDelta {
    return { room_id: roomId, type, state_key: stateKey, content, event_id: this.#eventId() }
  }

  #eventId(): string {
    return `$event${++this.#eventCounter}`
  }

  async #emit(delta: StateDelta): Promise<void> {
    if (this.#paused !== undefined) {
      this.#paused.push(delta)
      return
    }
    await this.directory.ingest([delta], { position: ++this.#position })
  }
}
