import type { Logger } from 'pino'
import type { UserDirectory } from '../directory/index.js'
import { UserDirectoryError } from '../errors.js'
import { ImportError, SynapseAdminClient, applyAdminUser, roomDiff } from '../import/index.js'
import type { AdminUser, BackgroundImport, LiveChanges } from '../import/index.js'
import { cleanProfileText } from '../rooms/index.js'
import type { StateDelta } from '../rooms/index.js'
import { defaultFollowOptions } from './options.js'
import type { FollowOptions, FollowStatus } from './options.js'

/** What the follower reads and writes of a `UserDirectory`. */
export type FollowDirectory = Pick<
  UserDirectory,
  'serverName' | 'importAccess' | 'registerLocalUser' | 'handleLocalProfileChange' | 'getProfile' | 'ingest' | 'batch'
>

/** What a follower is built from (the HTTP server's parts). */
export interface FollowerParts {
  directory: FollowDirectory
  /** Runs a task with no live ingest in between (the server's write queue). */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>
  /** Where live batches are recorded while a room snapshot is in flight (live deltas win). */
  live: LiveChanges
  /** The import behind the admin route: the periodic reconcile runs through it. */
  imports: BackgroundImport
  homeserverUrl: string
  /** A server admin's access token. */
  accessToken: string
  logger: Logger
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number
}

type Settings = Required<Omit<FollowOptions, 'appserviceId' | 'asToken'>> & Pick<FollowOptions, 'appserviceId' | 'asToken'>

interface Pending {
  dueMs: number
  /** Rooms: read once more `roomRecheckMs` after this read. */
  recheck: boolean
}

const MEMBER = 'm.room.member'
// The new-accounts poll's page: usually one page holds every account created since the last poll.
const NEW_USERS_PAGE = 20
// The locks poll's page: one request for up to 1,000 locked accounts.
const LOCKED_PAGE = 1_000
const MAX_CREATED = 10_000

/**
 * Keeps the directory equal to the homeserver's facts between imports
 * (issue 20): what appservice transactions do not carry is read from the
 * Admin API, cheaply and in the background.
 *
 * - A local user's member event → after `debounceMs`, one user lookup
 *   (type, deactivated, locked, global profile), applied where it differs;
 *   skipped for a join or invite of a known active user whose event carries
 *   the global profile the directory has.
 * - A room the directory has no local member in, gaining a local member
 *   (a federated first join, a rejoin) → the room's full state, applied
 *   with the import's rule that live deltas win; read again after
 *   `roomRecheckMs` (partial-state joins). A room losing its last local
 *   member is read once too: a purged room answers 404 and is removed.
 * - Polls for what makes no event: the newest accounts (stops at the
 *   first known one) and the locked accounts.
 * - A paced periodic reconcile as the backstop.
 *
 * Failed requests are retried with back-off, forever; nothing pending is
 * dropped. Every background promise is caught and logged.
 */
export class Follower {
  readonly #parts: FollowerParts
  readonly #settings: Settings
  readonly #client: SynapseAdminClient
  readonly #logger: Logger
  readonly #now: () => number
  readonly #controller = new AbortController()
  readonly #users = new Map<string, Pending>()
  readonly #rooms = new Map<string, Pending>()
  // In flight now; an item triggered again meanwhile is queued again after.
  readonly #busy = new Set<string>()
  // Rooms whose create event was pushed lately (bounded): their whole state came in pushes.
  readonly #created = new Set<string>()
  readonly #inFlight = new Set<Promise<void>>()
  #failuresInRow = 0
  #pausedUntilMs = 0
  #wake: ReturnType<typeof setTimeout> | undefined
  #wakeAtMs = Infinity
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  // Locked accounts as the last locks poll listed them (null before the first).
  #locked: Set<string> | null = null
  #started = false
  #stopped = false
  readonly #status: FollowStatus = {
    in_flight: 0, lookups_made: 0, lookups_queued: 0, lookups_failed: 0, room_state_reads: 0, room_state_queued: 0, room_state_failed: 0,
    polls: { new_users: 0, locks: 0 }, polls_failed: 0, requests: 0, changes_applied: 0, last_reconcile: null, reconcile_corrections: 0, ping: null,
  }

  constructor(parts: FollowerParts, options: FollowOptions = {}) {
    const settings = { ...defaultFollowOptions, ...withoutUndefined(options) } as Settings
    for (const key of ['debounceMs', 'roomRecheckMs', 'newUsersPollMs', 'locksPollMs', 'initialBackoffMs', 'maxBackoffMs', 'requestTimeoutMs', 'reconcileRequestsPerSecond'] as const) {
      const value = settings[key]
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`follow option ${key} must be a number of 0 or more, got ${JSON.stringify(value)}`)
    }
    if (!Number.isSafeInteger(settings.concurrency) || settings.concurrency < 1) throw new Error(`follow option concurrency must be a positive integer, got ${JSON.stringify(settings.concurrency)}`)
    const reconcile = settings.reconcileIntervalMs
    if (reconcile !== false && (typeof reconcile !== 'number' || !(reconcile > 0))) throw new Error(`follow option reconcileIntervalMs must be a positive number or false, got ${JSON.stringify(reconcile)}`)
    this.#parts = parts
    this.#settings = settings
    this.#logger = parts.logger.child({ module: 'follow' })
    this.#now = parts.now ?? Date.now
    this.#client = new SynapseAdminClient({
      homeserverUrl: parts.homeserverUrl,
      accessToken: parts.accessToken,
      // One attempt per call: the follower keeps the work pending and retries it itself.
      maxAttempts: 1,
      initialBackoffMs: settings.initialBackoffMs,
      maxBackoffMs: settings.maxBackoffMs,
      requestTimeoutMs: settings.requestTimeoutMs,
      sleep: (ms) => this.#sleep(ms),
      random: Math.random,
      signal: this.#controller.signal,
      logger: this.#logger,
      onRetry: () => undefined,
      onRequest: () => void this.#status.requests++,
    })
  }

  /** Starts the polls, the reconcile schedule and the ping. Idempotent. */
  start(): void {
    if (this.#started || this.#stopped) return
    this.#started = true
    this.#every(this.#settings.newUsersPollMs, () => this.#pollNewUsers(), 'new accounts poll')
    this.#every(this.#settings.locksPollMs, () => this.#pollLocks(), 'locks poll')
    if (this.#settings.reconcileIntervalMs !== false) this.#every(this.#settings.reconcileIntervalMs, () => this.reconcile(), 'periodic reconcile')
    this.#track(this.ping())
    this.#logger.info(
      { newUsersPollMs: this.#settings.newUsersPollMs, locksPollMs: this.#settings.locksPollMs, reconcileIntervalMs: this.#settings.reconcileIntervalMs, debounceMs: this.#settings.debounceMs, concurrency: this.#settings.concurrency },
      'following the homeserver',
    )
  }

  /** Stops every timer and waits for the requests in flight to end (their work is dropped with the process). */
  async stop(): Promise<void> {
    this.#stopped = true
    this.#controller.abort()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    if (this.#wake !== undefined) clearTimeout(this.#wake)
    this.#wake = undefined
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight])
  }

  /** Figures for the stats route and `/metrics` (a copy). */
  status(): FollowStatus {
    return {
      ...this.#status,
      in_flight: this.#busy.size,
      lookups_queued: this.#users.size,
      room_state_queued: this.#rooms.size,
      polls: { ...this.#status.polls },
      last_reconcile: this.#status.last_reconcile === null ? null : { ...this.#status.last_reconcile },
      ping: this.#status.ping === null ? null : { ...this.#status.ping },
    }
  }

  /** Whether nothing is pending or in flight (tests wait for this). */
  get idle(): boolean {
    return this.#users.size === 0 && this.#rooms.size === 0 && this.#busy.size === 0
  }

  /**
   * The write queue's hook: sees a live batch before it applies (in queue
   * order) and, once applied, queues the lookups and room reads it calls for.
   */
  observe(deltas: readonly StateDelta[]): (() => void) | null {
    if (this.#stopped) return null
    // Per local user: the profile of their joins and invites in this batch, or null when any of
    // their events is something else (a leave may be a deactivation's parting: always looked up).
    const users = new Map<string, { displayName: string | null; avatarUrl: string | null } | null>()
    const firstLocalJoin = new Set<string>()
    const localRooms = new Set<string>()
    // Per room touched: its joined local members as the batch goes (a leave and a rejoin may share a batch).
    const locals = new Map<string, Set<string>>()
    for (const delta of deltas) {
      if (delta.type === 'm.room.create' && delta.state_key === '' && typeof delta.room_id === 'string') this.#rememberCreated(delta.room_id)
      if (delta.type !== MEMBER || typeof delta.state_key !== 'string' || typeof delta.room_id !== 'string' || !this.#isLocal(delta.state_key)) continue
      const roomId = delta.room_id
      const content = typeof delta.content === 'object' && delta.content !== null ? (delta.content as Record<string, unknown>) : {}
      const membership = content.membership
      const before = users.get(delta.state_key)
      users.set(delta.state_key, (membership === 'join' || membership === 'invite') && before !== null ? { displayName: cleanProfileText(content.displayname), avatarUrl: cleanProfileText(content.avatar_url) } : null)
      localRooms.add(roomId)
      let joined = locals.get(roomId)
      if (joined === undefined) {
        joined = this.#localMembers(roomId)
        locals.set(roomId, joined)
      }
      if (membership === 'join') {
        // A room created here has all its state in the pushes, unless every local member left it since.
        if (joined.size === 0 && !this.#created.has(roomId)) firstLocalJoin.add(roomId)
        joined.add(delta.state_key)
      } else if (joined.delete(delta.state_key) && joined.size === 0) {
        // Left by every local member: what happens in it now is not pushed, so a rejoin must read it.
        this.#created.delete(roomId)
      }
    }
    if (users.size === 0) return null
    return () => {
      const now = this.#now()
      const due = now + this.#settings.debounceMs
      const uncertain: [string, { displayName: string | null; avatarUrl: string | null }][] = []
      for (const [userId, profile] of users) {
        if (this.#users.has(userId)) continue
        const known = this.#parts.directory.importAccess.localUser(userId)
        // A join or invite of a known, active user carrying their global profile as the directory has it changes nothing a look-up would find (locks are polled).
        if (profile !== null && known !== null && !known.deactivated) uncertain.push([userId, profile])
        else this.#users.set(userId, { dueMs: due, recheck: false })
      }
      for (const roomId of firstLocalJoin) this.#rooms.set(roomId, { dueMs: now, recheck: true })
      // The last local member left: read the room once, to learn whether it was purged (404).
      for (const roomId of localRooms) {
        if (this.#rooms.has(roomId) || this.#parts.directory.importAccess.roomState(roomId) === null || this.#hasLocalMember(roomId)) continue
        this.#rooms.set(roomId, { dueMs: due, recheck: false })
      }
      if (uncertain.length > 0) this.#track(this.#lookUpIfDifferent(uncertain, due))
      this.#schedule()
    }
  }

  // Queues a look-up for each user whose event's profile differs from the directory's global one
  // (a global change, or a per-room name: only the homeserver can tell which).
  async #lookUpIfDifferent(users: readonly [string, { displayName: string | null; avatarUrl: string | null }][], due: number): Promise<void> {
    let queued = false
    for (const [userId, profile] of users) {
      const entry = await this.#parts.directory.getProfile(userId)
      if (entry !== null && entry.display_name === profile.displayName && entry.avatar_url === profile.avatarUrl) continue
      if (!this.#users.has(userId)) this.#users.set(userId, { dueMs: due, recheck: false })
      queued = true
    }
    if (queued) this.#schedule()
  }

  /**
   * Asks the homeserver to ping this service (`POST
   * /_matrix/client/v1/appservice/{id}/ping` with the as_token) and logs one
   * line saying whether it can reach us. Never throws.
   */
  async ping(): Promise<FollowStatus['ping']> {
    const { appserviceId, asToken } = this.#settings
    if (appserviceId === undefined || asToken === undefined) return null
    const url = `${this.#parts.homeserverUrl.replace(/\/+$/, '')}/_matrix/client/v1/appservice/${encodeURIComponent(appserviceId)}/ping`
    let result: { ok: boolean; detail: string }
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { Authorization: `Bearer ${asToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ transaction_id: `userdir-start-${this.#now()}` }),
        signal: AbortSignal.any([this.#controller.signal, AbortSignal.timeout(this.#settings.requestTimeoutMs)]),
      })
      const body = (await response.json().catch(() => null)) as Record<string, unknown> | null
      if (response.status === 200) {
        result = { ok: true, detail: `the homeserver reached this service in ${String(body?.duration_ms ?? '?')} ms` }
        this.#logger.info({ appserviceId }, `appservice ping: ${result.detail}`)
      } else {
        const said = `${response.status}${typeof body?.errcode === 'string' ? ` ${body.errcode}` : ''}${typeof body?.error === 'string' ? `: ${body.error}` : ''}`
        result = { ok: false, detail: response.status === 404 && body?.errcode === 'M_UNRECOGNIZED' ? `the homeserver has no appservice ping (${said}); cannot check that it reaches this service` : `the homeserver cannot reach this service (${said}); check the registration's url and that the homeserver can connect to this address` }
        this.#logger.error({ appserviceId }, `appservice ping: ${result.detail}`)
      }
    } catch (error) {
      if (this.#stopped) return null
      result = { ok: false, detail: `could not ask the homeserver to ping this service (${describeError(error)})` }
      this.#logger.error({ appserviceId }, `appservice ping: ${result.detail}`)
    }
    this.#status.ping = result
    return result
  }

  /**
   * One reconcile through the import, paced at `reconcileRequestsPerSecond`;
   * resolves with its corrections (null when an import was already running).
   */
  async reconcile(): Promise<number | null> {
    const imports = this.#parts.imports
    const { started } = imports.start({ reconcile: true, options: { maxRequestsPerSecond: this.#settings.reconcileRequestsPerSecond } })
    if (!started) {
      this.#logger.info('periodic reconcile skipped: an import or reconcile is running')
      return null
    }
    await imports.idle()
    const status = imports.status()
    const ok = status?.phase === 'done'
    const corrections = status === null ? 0 : status.changes.users + status.changes.profiles + status.changes.rooms
    this.#status.last_reconcile = { finished_at_ms: this.#now(), corrections, ok }
    this.#status.reconcile_corrections += corrections
    if (!ok) this.#logger.warn({ error: status?.error ?? null }, 'periodic reconcile did not finish; it runs again at the next interval')
    else if (corrections === 0) this.#logger.info({ corrections }, 'periodic reconcile: 0 corrections, the directory was equal to the homeserver')
    else this.#logger.warn({ corrections, ...status?.changes }, `periodic reconcile: ${corrections} corrections; following missed these changes (please report it)`)
    return corrections
  }

  /** Runs the new accounts poll now (tests; the timer calls it too). */
  async pollNewUsers(): Promise<number> {
    return this.#pollNewUsers()
  }

  /** Runs the locks poll now (tests; the timer calls it too). */
  async pollLocks(): Promise<number> {
    return this.#pollLocks()
  }

  // ---- polls ---------------------------------------------------------------

  // Newest accounts first; stops at the first one the directory knows, after
  // the rest created in the same second (creation_ts has second resolution).
  async #pollNewUsers(): Promise<number> {
    const dir = this.#parts.directory
    const empty = dir.importAccess.localUserIds().length === 0
    let from = '0'
    let applied = 0
    let stopAtTs: number | null = null
    for (let page = 0; ; page++) {
      const result = await this.#client.listUsersBy({ from, limit: String(NEW_USERS_PAGE), order_by: 'creation_ts', dir: 'b', guests: 'false', deactivated: 'true', locked: 'true' })
      let done = result.nextToken === null || result.users.length === 0
      const unknown: AdminUser[] = []
      for (const user of result.users) {
        if (stopAtTs !== null && (user.creationTs ?? -Infinity) < stopAtTs) {
          done = true
          break
        }
        if (dir.importAccess.localUser(user.userId) !== null) {
          if (stopAtTs === null) stopAtTs = user.creationTs ?? Infinity
          continue
        }
        unknown.push(user)
      }
      applied += await this.#applyUsers(unknown)
      // A directory never imported is filled by the import, not by this poll.
      if (empty && page === 0 && !done) {
        this.#logger.warn('the directory knows no local user: run the import (POST /_userdir/admin/v1/import) to load the existing accounts; following only adds new ones')
        done = true
      }
      if (done) break
      from = result.nextToken ?? from
    }
    this.#status.polls.new_users++
    if (applied > 0) this.#logger.info({ applied }, 'new accounts applied')
    return applied
  }

  // Locked accounts first (`order_by=locked&dir=b`), up to the first unlocked
  // one; those no longer listed are looked up.
  async #pollLocks(): Promise<number> {
    const dir = this.#parts.directory
    if (this.#locked === null) {
      this.#locked = new Set(dir.importAccess.localUserIds().filter((userId) => dir.importAccess.localUser(userId)?.locked === true))
    }
    const now = new Set<string>()
    const changed: AdminUser[] = []
    let from = '0'
    for (;;) {
      const result = await this.#client.listUsersBy({ from, limit: String(LOCKED_PAGE), order_by: 'locked', dir: 'b', guests: 'false', deactivated: 'true', locked: 'true' })
      let done = result.nextToken === null || result.users.length === 0
      for (const user of result.users) {
        if (!user.locked) {
          done = true
          break
        }
        now.add(user.userId)
        if (dir.importAccess.localUser(user.userId)?.locked !== true) changed.push(user)
      }
      if (done) break
      from = result.nextToken ?? from
    }
    let applied = await this.#applyUsers(changed)
    const unlocked = [...this.#locked].filter((userId) => !now.has(userId))
    this.#locked = now
    const due = this.#now()
    for (const userId of unlocked) {
      if (!this.#users.has(userId)) this.#users.set(userId, { dueMs: due, recheck: false })
      applied++
    }
    if (unlocked.length > 0) this.#schedule()
    this.#status.polls.locks++
    if (applied > 0) this.#logger.info({ locked: changed.length, unlocked: unlocked.length }, 'lock changes found')
    return applied
  }

  async #applyUsers(users: readonly AdminUser[]): Promise<number> {
    if (users.length === 0) return 0
    const dir = this.#parts.directory
    let applied = 0
    await this.#parts.exclusive(() =>
      dir.batch(async () => {
        for (const user of users) {
          if (user.isGuest) continue
          try {
            const result = await applyAdminUser(dir, user)
            if (result.flags !== null || result.profile !== null) applied++
          } catch (error) {
            if (!(error instanceof UserDirectoryError)) throw error
            this.#logger.warn({ userId: user.userId }, `skipped user: ${error.message}`)
          }
        }
      }),
    )
    this.#status.changes_applied += applied
    return applied
  }

  // ---- lookups and room reads ------------------------------------------------

  #schedule(): void {
    if (this.#stopped) return
    const now = this.#now()
    let next = Infinity
    const slots = (): number => this.#settings.concurrency - this.#busy.size
    if (now >= this.#pausedUntilMs) {
      for (const [roomId, pending] of this.#rooms) {
        if (slots() <= 0) break
        const key = `room ${roomId}`
        if (this.#busy.has(key)) continue
        if (pending.dueMs <= now) this.#run(key, () => this.#readRoom(roomId, pending))
        else next = Math.min(next, pending.dueMs)
      }
      for (const [userId, pending] of this.#users) {
        if (slots() <= 0) break
        const key = `user ${userId}`
        if (this.#busy.has(key)) continue
        if (pending.dueMs <= now) this.#run(key, () => this.#lookUp(userId))
        else next = Math.min(next, pending.dueMs)
      }
    } else {
      next = this.#pausedUntilMs
    }
    if (slots() <= 0) return // a finishing task schedules again
    for (const pending of [...this.#rooms.values(), ...this.#users.values()]) if (pending.dueMs > now) next = Math.min(next, pending.dueMs)
    if (next === Infinity || (this.#wake !== undefined && this.#wakeAtMs <= next)) return
    if (this.#wake !== undefined) clearTimeout(this.#wake)
    this.#wakeAtMs = next
    this.#wake = setTimeout(() => {
      this.#wake = undefined
      this.#wakeAtMs = Infinity
      this.#schedule()
    }, Math.max(0, next - now))
    this.#wake.unref()
  }

  #run(key: string, task: () => Promise<void>): void {
    this.#busy.add(key)
    this.#track(
      task()
        .then(
          () => {
            this.#failuresInRow = 0
            this.#pausedUntilMs = 0
          },
          (error: unknown) => {
            if (this.#stopped) return
            this.#failuresInRow++
            // (A 429 was already waited out by the client, as its retry_after_ms asks.)
            const waitMs = Math.min(this.#settings.maxBackoffMs, this.#settings.initialBackoffMs * 2 ** (this.#failuresInRow - 1))
            this.#pausedUntilMs = Math.max(this.#pausedUntilMs, this.#now() + waitMs)
            this.#logger.warn({ what: key, waitMs, failuresInRow: this.#failuresInRow, problem: describeError(error) }, 'homeserver request failed; kept pending and retried')
          },
        )
        .finally(() => {
          this.#busy.delete(key)
          this.#schedule()
        }),
    )
  }

  async #lookUp(userId: string): Promise<void> {
    const pending = this.#users.get(userId)
    // Taken off now: a member event arriving during the request queues it again.
    this.#users.delete(userId)
    let user: AdminUser | null
    try {
      user = await this.#client.user(userId)
    } catch (error) {
      this.#status.lookups_failed++
      if (!this.#users.has(userId)) this.#users.set(userId, pending ?? { dueMs: this.#now(), recheck: false })
      throw error
    }
    this.#status.lookups_made++
    if (user === null) {
      this.#logger.warn({ userId }, 'the homeserver has no such local user (404); nothing applied')
      return
    }
    await this.#applyUsers([user])
  }

  async #readRoom(roomId: string, pending: Pending): Promise<void> {
    this.#rooms.delete(roomId)
    const { directory: dir, live, exclusive } = this.#parts
    live.watchRoom(roomId)
    let state: Awaited<ReturnType<SynapseAdminClient['roomState']>>
    try {
      state = await this.#client.roomState(roomId)
    } catch (error) {
      live.unwatchRooms([roomId])
      this.#status.room_state_failed++
      if (!this.#rooms.has(roomId)) this.#rooms.set(roomId, pending)
      throw error
    }
    this.#status.room_state_reads++
    const unknownLocals: string[] = []
    await exclusive(() =>
      dir.batch(async () => {
        const liveKeys = live.takeRoom(roomId)
        if (state === null) this.#logger.info({ roomId }, 'room is gone from the homeserver (404); removed here')
        const diff = roomDiff(roomId, state?.events ?? null, dir.importAccess.roomState(roomId), liveKeys, dir.serverName)
        if (diff.length > 0) {
          const report = await dir.ingest(diff)
          for (const skipped of report.skipped) this.#logger.warn({ roomId }, `state event skipped: ${skipped.message}`)
          this.#status.changes_applied++
        }
        for (const event of state?.events ?? []) {
          if (event.type === MEMBER && this.#isLocal(event.stateKey) && event.content.membership === 'join' && dir.importAccess.localUser(event.stateKey) === null) unknownLocals.push(event.stateKey)
        }
      }),
    )
    const now = this.#now()
    for (const userId of unknownLocals) if (!this.#users.has(userId)) this.#users.set(userId, { dueMs: now, recheck: false })
    if (state !== null && pending.recheck && !this.#rooms.has(roomId)) this.#rooms.set(roomId, { dueMs: now + this.#settings.roomRecheckMs, recheck: false })
  }

  // ---- helpers ---------------------------------------------------------------

  #isLocal(userId: string): boolean {
    return userId.slice(userId.indexOf(':') + 1) === this.#parts.directory.serverName
  }

  #rememberCreated(roomId: string): void {
    this.#created.add(roomId)
    if (this.#created.size > MAX_CREATED) this.#created.delete(this.#created.values().next().value as string)
  }

  #localMembers(roomId: string): Set<string> {
    const out = new Set<string>()
    const room = this.#parts.directory.importAccess.roomState(roomId)
    if (room !== null) for (const userId of room.joined.keys()) if (this.#isLocal(userId)) out.add(userId)
    return out
  }

  #hasLocalMember(roomId: string): boolean {
    const room = this.#parts.directory.importAccess.roomState(roomId)
    if (room === null) return false
    for (const userId of room.joined.keys()) if (this.#isLocal(userId)) return true
    return false
  }

  // Runs `task` every `intervalMs` (first after one interval), each run caught and logged.
  #every(intervalMs: number, task: () => Promise<unknown>, what: string): void {
    const tick = (): void => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        if (this.#stopped) return
        this.#track(
          task()
            .catch((error: unknown) => {
              if (this.#stopped) return
              if (what !== 'periodic reconcile') this.#status.polls_failed++
              this.#logger.warn({ problem: describeError(error) }, `${what} failed; it runs again at the next interval`)
            })
            .finally(() => {
              if (!this.#stopped) tick()
            }),
        )
      }, intervalMs)
      timer.unref()
      this.#timers.add(timer)
    }
    tick()
  }

  #track(promise: Promise<unknown>): void {
    const tracked = promise.then(
      () => undefined,
      (error: unknown) => {
        if (!this.#stopped) this.#logger.error({ err: error }, 'follower task failed')
      },
    )
    this.#inFlight.add(tracked)
    void tracked.finally(() => this.#inFlight.delete(tracked))
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#controller.signal.aborted) return resolve()
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        resolve()
      }, ms)
      timer.unref()
      this.#timers.add(timer)
    })
  }
}

function describeError(error: unknown): string {
  if (error instanceof ImportError) return error.message
  if (error instanceof Error) return error.message
  return String(error)
}

function withoutUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>
}
