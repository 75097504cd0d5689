// Test bed of following (issue 20): the Synapse emulator with the service
// registered as its appservice, a running service (createServer over HTTP,
// following on, short intervals), and helpers that compare the service with
// the reference directory (the directory Synapse would have) and measure how
// long it took and how many requests it made to the homeserver.
import type { Server } from 'node:http'
import { UserDirectory } from '../../src/index.js'
import type { AppserviceRegistration, UserDirectoryOptions } from '../../src/index.js'
import type { FollowOptions } from '../../src/follow/index.js'
import { createServer, stopServer } from '../../src/http/index.js'
import { freePort } from '../http/harness.js'
import { SynapseEmulator, directoryAppservice, feedReference } from '../synapse-emulator/index.js'
import type { EmulatedAppservice, EmulatorOptions, RouteName } from '../synapse-emulator/index.js'
import { AS_TOKEN, HS_TOKEN } from '../synapse-emulator/fixture.js'

export const ADMIN = 'userdir-admin'
export const SEARCH_PATH = '/_matrix/client/v3/user_directory/search'
/** The polls' interval in these tests. */
export const POLL_MS = 150
/** The bound after an acknowledged transaction for lookups and room-state reads. */
export const LOOKUP_BOUND_MS = 2_000

export interface BedOptions {
  directory?: Omit<UserDirectoryOptions, 'serverName' | 'path' | 'appservices'>
  follow?: FollowOptions
  emulator?: EmulatorOptions
  /** Users namespaces of the service's own registration (default: only its sender). */
  userNamespaces?: { regex: string; exclusive: boolean }[]
}

/** What one measured change cost. */
export interface Measure {
  label: string
  delayMs: number
  requests: Partial<Record<RouteName, number>>
}

/** Every measure taken in this process, printed by `printMeasures`. */
export const measures: Measure[] = []

const COUNTED: RouteName[] = ['admin.user', 'admin.users', 'admin.room_state', 'admin.rooms']

export class Bed {
  constructor(
    readonly emu: SynapseEmulator,
    readonly dir: UserDirectory,
    readonly url: string,
    readonly appservices: AppserviceRegistration[],
    readonly directoryOptions: BedOptions['directory'],
    /** Stops and starts the service (same directory, same port). */
    readonly service: { stop(): Promise<void>; start(): Promise<void> },
    readonly close: () => Promise<void>,
  ) {}

  static async start(options: BedOptions = {}): Promise<Bed> {
    const emu = await SynapseEmulator.start({ partDelayMs: 20, pusher: { backoffUnitMs: 10 }, ...options.emulator })
    // A port known before the service listens, so the registration (and the start-up ping) can name it.
    const port = await freePort()
    const reg: EmulatedAppservice = {
      id: 'userdir',
      url: `http://127.0.0.1:${port}`,
      hs_token: HS_TOKEN,
      as_token: AS_TOKEN,
      sender_localpart: 'userdir',
      namespaces: { users: [{ regex: '@userdir:hs\\.test', exclusive: true }, ...(options.userNamespaces ?? [])], rooms: [{ regex: '.*', exclusive: false }] },
    }
    emu.addAppservice(reg)
    const appservices = [directoryAppservice(reg, emu.serverName)]
    const dir = await UserDirectory.open({ serverName: emu.serverName, appservices, ...options.directory })
    const makeServer = (): Server => createServer(dir, {
      adminToken: ADMIN,
      hsToken: HS_TOKEN,
      homeserverUrl: emu.url,
      rateLimit: false,
      tokenCacheValidMs: 600_000,
      synapseImport: { homeserverUrl: emu.url, accessToken: emu.adminToken, options: { initialBackoffMs: 10, maxBackoffMs: 50 } },
      follow: {
        debounceMs: 25, newUsersPollMs: 60_000, locksPollMs: 60_000, roomRecheckMs: 300, reconcileIntervalMs: false,
        initialBackoffMs: 20, maxBackoffMs: 200, requestTimeoutMs: 5_000, appserviceId: 'userdir', asToken: AS_TOKEN, ...options.follow,
      },
    })
    let server = makeServer()
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${port}`
    const service = {
      async stop(): Promise<void> {
        await stopServer(server)
      },
      async start(): Promise<void> {
        server = makeServer()
        await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
      },
    }
    const bed = new Bed(emu, dir, url, appservices, options.directory, service, async () => {
      if (server.listening) await stopServer(server)
      await emu.stop()
      await dir.close()
    })
    // As an operator does: import, then follow.
    const started = await bed.request('POST', '/_userdir/admin/v1/import', ADMIN)
    if (started.status !== 202) throw new Error(`import: ${started.status}`)
    while ((await bed.stats()).import.running) await sleep(5)
    await bed.converged(1_000)
    return bed
  }

  async request(method: string, path: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(this.url + path, { method, headers: token === undefined ? {} : { Authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? null : JSON.parse(text)
    } catch {
      // metrics text
    }
    return { status: response.status, body: parsed }
  }

  async stats(): Promise<any> {
    return (await this.request('GET', '/_userdir/admin/v1/stats', ADMIN)).body
  }

  /** A fresh reference directory fed the homeserver's complete current facts (guests left out, as the import does). Close it. */
  async reference(): Promise<UserDirectory> {
    const ref = await UserDirectory.open({ serverName: this.emu.serverName, appservices: this.appservices, ...this.directoryOptions })
    await feedReference(ref, this.emu, { guests: false })
    return ref
  }

  /** Whether the service's tables, and its local users' flags and profiles, equal the reference's now. */
  async equal(): Promise<boolean> {
    const ref = await this.reference()
    try {
      return JSON.stringify(await snapshot(this.dir)) === JSON.stringify(await snapshot(ref))
    } finally {
      await ref.close()
    }
  }

  /** Waits until the service's tables equal the reference's; returns the wait in ms, or throws after `timeoutMs`. */
  async converged(timeoutMs: number): Promise<number> {
    const started = performance.now()
    for (;;) {
      if (await this.equal()) return performance.now() - started
      if (performance.now() - started > timeoutMs) {
        const ref = await this.reference()
        const diff = describeDifference(await snapshot(this.dir), await snapshot(ref))
        await ref.close()
        throw new Error(`not equal to the reference after ${timeoutMs} ms: ${diff}`)
      }
      await sleep(5)
    }
  }

  /**
   * Runs `change` on the homeserver, waits until the service has acknowledged
   * every transaction, then until its tables equal the reference's (within
   * `boundMs`); records the delay from the acknowledgement and the Admin API
   * requests made meanwhile.
   */
  async measure(label: string, boundMs: number, change: () => void | Promise<void>): Promise<Measure> {
    const before = this.#counts()
    await change()
    await this.emu.delivered()
    const delayMs = await this.converged(boundMs)
    // Let what is still queued (a room's second read) finish before counting.
    await this.quiet()
    const after = this.#counts()
    const requests: Measure['requests'] = {}
    for (const route of COUNTED) if (after[route] !== before[route]) requests[route] = after[route] - before[route]
    const measure = { label, delayMs: Math.round(delayMs), requests }
    measures.push(measure)
    return measure
  }

  /** Waits until the follower has nothing queued or in flight. */
  async quiet(timeoutMs = 5_000): Promise<void> {
    const started = performance.now()
    for (;;) {
      const follow = (await this.stats()).follow
      if (follow.in_flight === 0 && follow.lookups_queued === 0 && follow.room_state_queued === 0) return
      if (performance.now() - started > timeoutMs) throw new Error(`follower still busy: ${JSON.stringify(follow)}`)
      await sleep(5)
    }
  }

  /** The service's HTTP search answers equal the reference's, for each searcher and term. */
  async searchesEqual(searchers: string[], terms: string[]): Promise<void> {
    const ref = await this.reference()
    try {
      for (const userId of searchers) {
        const token = this.emu.user(userId).accessToken ?? ''
        for (const term of terms) {
          const answer = await this.request('POST', SEARCH_PATH, token, { search_term: term, limit: 20 })
          const expected = JSON.parse(JSON.stringify(await ref.search(userId, term, 20))) as unknown
          if (answer.status !== 200 || JSON.stringify(answer.body) !== JSON.stringify(expected)) {
            throw new Error(`${userId} searching ${JSON.stringify(term)}: service ${answer.status} ${JSON.stringify(answer.body)}, reference ${JSON.stringify(expected)}`)
          }
        }
      }
    } finally {
      await ref.close()
    }
  }

  #counts(): Record<RouteName, number> {
    const out = {} as Record<RouteName, number>
    for (const route of COUNTED) out[route] = this.emu.requestCount(route)
    return out
  }
}

/** What following must make equal: the directory's tables, and every local user's flags and global profile (locks are applied at query time, so not in the tables). */
export async function snapshot(dir: UserDirectory): Promise<Record<string, unknown>> {
  const users: unknown[] = []
  for (const userId of dir.importAccess.localUserIds().sort()) users.push([userId, dir.importAccess.localUser(userId), await dir.getProfile(userId)])
  // The stale remote users (the profile refresher's queue, with retry times) depend on the history of
  // per-room profiles, not on current facts: the reference, fed current facts only, cannot have them.
  const { staleRemoteUsers: _history, ...tables } = dir.tables()
  return { ...tables, localUsers: users }
}

export function printMeasures(file: string): void {
  for (const m of measures.splice(0)) console.log(`  [measure] ${file}: ${m.label}: ${m.delayMs} ms after the acknowledgement; requests ${JSON.stringify(m.requests)}`)
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function describeDifference(actual: unknown, expected: unknown): string {
  const a = actual as Record<string, unknown>
  const e = expected as Record<string, unknown>
  const parts: string[] = []
  for (const key of Object.keys(e)) {
    const left = JSON.stringify(a[key])
    const right = JSON.stringify(e[key])
    if (left !== right) parts.push(`${key}: service ${left.slice(0, 600)} ≠ reference ${right.slice(0, 600)}`)
  }
  return parts.join('; ')
}
