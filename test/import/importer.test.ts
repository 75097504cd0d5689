import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { CHECKPOINT_KEY, ImportError, LiveChanges, runImport } from '../../src/import/index.js'
import type { ImportOptions, ImportStatus } from '../../src/import/index.js'
import { ADMIN_TOKEN, FakeSynapse, SERVER_NAME, USER_TOKEN, feedDirectly, listOrder } from './fake-synapse.js'

const test = suite('src/import/importer.ts')

// ≥ 5,000 users and ≥ 1,000 rooms, read in pages of 100.
const SHAPE = { users: 5000, rooms: 1000, seed: 7 }
const START_MS = 1_700_000_000_000

let shared: FakeSynapse
let expected: ReturnType<UserDirectory['tables']>

async function memoryDirectory(): Promise<UserDirectory> {
  return UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(START_MS) })
}

async function referenceTables(hs: FakeSynapse): Promise<ReturnType<UserDirectory['tables']>> {
  const dir = await memoryDirectory()
  await feedDirectly(dir, hs)
  const tables = dir.tables()
  await dir.close()
  return tables
}

function options(hs: FakeSynapse, extra: Partial<ImportOptions> = {}): ImportOptions {
  return { homeserverUrl: hs.url, accessToken: ADMIN_TOKEN, sleep: async () => {}, random: () => 0.5, ...extra }
}

test.before(async () => {
  shared = await new FakeSynapse(SHAPE).start()
  expected = await referenceTables(shared)
})

test.after(async () => {
  await shared.stop()
})

test('a full import gives the same tables as feeding the homeserver state directly', async () => {
  const dir = await memoryDirectory()
  const status = await runImport({ directory: dir }, options(shared))
  assert.equal(dir.tables(), expected)
  assert.ok(expected.users.size > 4000 && expected.inPublicRooms.length > 1000 && expected.sharePrivateRooms.length > 1000, 'the generated homeserver exercises every table')
  assert.is(status.phase, 'done')
  assert.is(status.usersDone, status.usersTotal)
  assert.is(status.roomsDone, SHAPE.rooms)
  assert.is(status.pages, Math.ceil((status.usersTotal ?? 0) / 100) + SHAPE.rooms / 100)
  await dir.close()
})

test('importing again changes nothing: only differences are applied', async () => {
  const dir = await memoryDirectory()
  await runImport({ directory: dir }, options(shared))
  const again = await runImport({ directory: dir }, options(shared))
  assert.equal(again.changes, { users: 0, profiles: 0, rooms: 0 })
  assert.equal(dir.tables(), expected)
  await dir.close()
})

test('a 429 waits its retry_after_ms, 5xx and dropped answers back off, and the result is the same', async () => {
  const hs = await new FakeSynapse({ ...SHAPE, users: 600, rooms: 120 }).start()
  try {
    hs.failNext(/\/v2\/users\?from=200/, 1, 429, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 1234 })
    hs.failNext(/\/v1\/rooms\?/, 2, 502, { error: 'bad gateway' })
    hs.failNext(/\/state$/, 3, 500, { errcode: 'M_UNKNOWN', error: 'Internal server error' })
    const waits: number[] = []
    const dir = await memoryDirectory()
    const status = await runImport({ directory: dir }, options(hs, { sleep: async (ms) => void waits.push(ms) }))
    assert.equal(dir.tables(), await referenceTables(hs))
    assert.is(status.retries, 6)
    assert.ok(waits.includes(1234), `the 429's retry_after_ms is honoured: ${waits}`)
    // 500 ms doubled per failure of the same request (jitter pinned to 1.0 by random() = 0.5).
    assert.ok(waits.includes(500) && waits.includes(1000), `exponential back-off: ${waits}`)
    await dir.close()
  } finally {
    await hs.stop()
  }
})

test('a request that keeps failing ends the import with a clear error after maxAttempts', async () => {
  const hs = await new FakeSynapse({ ...SHAPE, users: 50, rooms: 10 }).start()
  try {
    hs.failNext(/\/v2\/users/, 100, 503, { errcode: 'M_UNKNOWN', error: 'Service unavailable' })
    const dir = await memoryDirectory()
    const error = await runImport({ directory: dir }, options(hs, { maxAttempts: 3 })).catch((e: unknown) => e)
    assert.instance(error, ImportError)
    assert.is((error as ImportError).reason, 'unavailable')
    assert.match((error as ImportError).message, /503 M_UNKNOWN: Service unavailable; gave up after 3 attempts/)
    await dir.close()
  } finally {
    await hs.stop()
  }
})

test('a wrong token or a non-admin token fails at once, with one clear line and nothing applied', async () => {
  for (const [token, reason, line] of [
    ['not-a-token', 'unauthorized', /^the homeserver rejected the admin token \(401 M_UNKNOWN_TOKEN: Invalid access token passed\.\); check the token file$/],
    [USER_TOKEN, 'forbidden', /^the token is not a server admin's \(403 M_FORBIDDEN: You are not a server admin\); use an access token of a user with admin rights$/],
  ] as const) {
    const before = { ...shared.requests }
    const waits: number[] = []
    const dir = await memoryDirectory()
    const error = await runImport({ directory: dir }, options(shared, { accessToken: token, sleep: async (ms) => void waits.push(ms) })).catch((e: unknown) => e)
    assert.instance(error, ImportError)
    assert.is((error as ImportError).reason, reason)
    assert.match((error as ImportError).message, line)
    assert.is((error as ImportError).message.includes('\n'), false)
    assert.equal(waits, [], 'no retry')
    assert.is(shared.requests.all, before.all + 1, 'one request')
    assert.is(dir.stats().localUsers, 0)
    assert.is(dir.importAccess.getMeta(CHECKPOINT_KEY), undefined)
    await dir.close()
  }
})

test('an import stopped after some pages resumes on the same persistent directory and ends with the same tables', async () => {
  const path = mkdtempSync(join(tmpdir(), 'userdir-import-'))
  try {
    const controller = new AbortController()
    let first = await UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(START_MS), path })
    const stopped = await runImport({ directory: first }, options(shared, {
      signal: controller.signal,
      afterPage: ({ index }) => {
        if (index === 53) controller.abort()
      },
    })).catch((e: unknown) => e)
    assert.instance(stopped, ImportError)
    assert.is((stopped as ImportError).reason, 'aborted')
    const partial = first.stats()
    await first.close()
    assert.ok(partial.localUsers > 4000 && partial.rooms > 0 && partial.rooms < SHAPE.rooms, 'stopped in the rooms phase')

    first = await UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(START_MS), path })
    const statesBefore = shared.requests.state
    const usersBefore = shared.requests.users
    const statuses: ImportStatus[] = []
    const resumed = await runImport({ directory: first }, options(shared, { onProgress: (s) => statuses.push(s) }))
    assert.is(resumed.resumed, true)
    assert.is(shared.requests.users, usersBefore, 'no users page read again')
    assert.is(shared.requests.state - statesBefore, SHAPE.rooms - 300, 'only the rooms after the checkpoint')
    assert.is(statuses[0].roomsDone, 300)
    assert.equal(first.tables(), expected)
    await first.close()

    const reopened = await UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(START_MS), path })
    assert.equal(reopened.tables(), expected)
    assert.is((reopened.importAccess.getMeta(CHECKPOINT_KEY) as { phase: string }).phase, 'done')
    await reopened.close()
  } finally {
    rmSync(path, { recursive: true, force: true })
  }
})

test('live transactions applied while the import runs are not lost, even when a snapshot read before them arrives after', async () => {
  const hs = await new FakeSynapse({ ...SHAPE, users: 1500, rooms: 300 }).start()
  try {
    const dir = await memoryDirectory()
    const live = new LiveChanges()
    // The server's ingest queue, in miniature: one task at a time.
    let tail: Promise<unknown> = Promise.resolve()
    const exclusive = <T>(task: () => Promise<T>): Promise<T> => {
      const run = tail.then(task)
      tail = run.catch(() => undefined)
      return run
    }
    const pushLive = (deltas: ReturnType<FakeSynapse['setMember']>[]) =>
      exclusive(async () => {
        await dir.ingest(deltas)
        live.noteDeltas(deltas)
      })
    const order = listOrder(hs.rooms)
    const raced = order.slice(0, 40).filter((_, i) => i % 4 === 0)
    const local = (i: number) => `@user${String(i).padStart(5, '0')}:${SERVER_NAME}`
    let pushes = 0
    hs.onRoomState = async (roomId) => {
      const index = raced.findIndex((room) => room.room_id === roomId)
      if (index === -1) return
      // The snapshot being answered was read before this change: without the ordering rule it would undo it.
      pushes++
      await pushLive([
        hs.setJoinRule(roomId, raced[index].state.some((e) => e.type === 'm.room.join_rules' && e.content.join_rule === 'public') ? 'invite' : 'public'),
        hs.setMember(roomId, local(3000 + index), { membership: 'join' }),
      ])
    }
    const status = await runImport({ directory: dir, exclusive, live }, options(hs, {
      afterPage: ({ kind, index }) => {
        if (kind !== 'rooms' || index !== 17) return
        // Also rooms already imported, and rooms not yet reached.
        pushes++
        void pushLive([hs.setMember(order[5].room_id, local(3100), { membership: 'join' }), hs.setMember(order[250].room_id, local(3101), { membership: 'join' })])
      },
    }))
    await tail
    assert.is(status.phase, 'done')
    assert.is(pushes, raced.length + 1)
    assert.equal(dir.tables(), await referenceTables(hs))
    await dir.close()
  } finally {
    await hs.stop()
  }
})

test('reconcile finds what the directory missed, fixes it and reports each kind; a second reconcile finds nothing', async () => {
  const hs = await new FakeSynapse({ ...SHAPE, users: 800, rooms: 150 }).start()
  try {
    const dir = await memoryDirectory()
    await runImport({ directory: dir }, options(hs))
    // Changes the directory never heard of (lost events, a feed that was down).
    const order = listOrder(hs.rooms)
    const active = hs.users.filter((u) => !u.is_guest && !u.deactivated && u.user_type === null)
    hs.setUser(active[0].name, { displayname: 'Renamed Behind Your Back' })
    hs.setUser(active[1].name, { deactivated: true })
    hs.setUser(active[2].name, { locked: true })
    // (A room with remote members would keep their stale marks after turning public: entries
    // come from member events seen while public, SPEC §1, so the direct feed would differ.)
    const localOnly = order.filter((room) => room.state.every((e) => e.type !== 'm.room.member' || e.state_key.endsWith(`:${SERVER_NAME}`)))
    hs.setJoinRule(localOnly[0].room_id, 'public')
    hs.setMember(localOnly[1].room_id, active[3].name, { membership: 'join' })
    const gone = order[5].room_id
    hs.deleteRoom(gone)
    const status = await runImport({ directory: dir }, options(hs, { reconcile: true }))
    assert.equal(status.changes, { users: 2, profiles: 1, rooms: 3 })
    assert.ok(status.warnings.some((w) => w.includes(`room ${gone} is gone from the homeserver`)), status.warnings.join('\n'))
    assert.is(dir.importAccess.roomState(gone), null)
    assert.equal(dir.tables(), await referenceTables(hs))
    assert.is(dir.importAccess.getMeta(CHECKPOINT_KEY) !== undefined, true, 'the import checkpoint is left as it was')
    const again = await runImport({ directory: dir }, options(hs, { reconcile: true }))
    assert.equal(again.changes, { users: 0, profiles: 0, rooms: 0 })
    await dir.close()
  } finally {
    await hs.stop()
  }
})

test.run()
