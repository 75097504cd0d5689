// Issue 19, item 6: rebuild() runs in slices with the event loop free
// between them. Its result equals the synchronous rebuild's; searches during
// it are answered from the state before it; a failure in the middle leaves
// that state and is reported; changes from elsewhere wait for it. And a
// failed commit is undone without any whole-directory work.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory, UserDirectoryError } from '../../src/index.js'
import { planRebuild, rebuildSlicing } from '../../src/directory/sliced-rebuild.js'
import type { RoomId, ServerName, UserId } from '../../src/ids/index.js'
import { DirectoryEntries } from '../../src/profiles/index.js'
import type { RoomState } from '../../src/rooms/index.js'
import { EntryFlag, SearchIndex } from '../../src/search/index.js'
import { RoomVisibility, UserRegistry } from '../../src/visibility/index.js'
import type { StateDelta } from '../../src/index.js'
import { propertyRuns } from '../arbitraries/operations.js'
import { SEARCH_PATH, start } from '../http/harness.js'
import { TOKENS, seededDirectory } from '../http/fixtures.js'
import { FailingStore } from '../store/failing-store.js'
import { tempDir } from '../store/store-fixtures.js'
import { LOCAL_USERS, applyUserChange, faultHistory, newModel, settle, toDeltas, userChange } from '../faults/fault-model.js'
import type { Step } from '../faults/fault-model.js'

const test = suite('directory/rebuild-slices')
const RUNS = propertyRuns(40)
const TERMS = ['l', 'r', 'alice', 'b', 'test', 'émile', 'remote']
const defaults = { ...rebuildSlicing }
const dirs: { remove(): void }[] = []

test.after.each(() => {
  Object.assign(rebuildSlicing, defaults)
})
test.after(() => {
  for (const made of dirs) made.remove()
})

// Pause after every few items: the most interleaving a rebuild allows.
function sliceFinely(onPause: () => Promise<void> | void = () => undefined): { pauses: number } {
  const seen = { pauses: 0 }
  rebuildSlicing.sliceMs = 0
  rebuildSlicing.stepSize = 1
  rebuildSlicing.pause = async () => {
    seen.pauses++
    await onPause()
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  return seen
}

async function feed(dir: UserDirectory, steps: Step[]): Promise<void> {
  const model = newModel()
  let txn = 0
  for (const s of steps) {
    if (s.kind === 'txn') {
      await dir.ingest(toDeltas(s.deltas), { transactionId: `t${txn}`, position: ++txn })
      model.ingest(toDeltas(s.deltas))
    } else if (s.kind === 'batch') {
      for (const deltas of s.txns) {
        await dir.ingest(toDeltas(deltas), { position: ++txn })
        model.ingest(toDeltas(deltas))
      }
    } else if (s.kind === 'user') {
      const change = userChange(model, s)
      if (change === null) continue
      await applyUserChange(dir, model, s)
      change.apply()
    }
  }
}

// Every answer a local user gets for a few terms, with scores.
async function answers(dir: UserDirectory, modes = ''): Promise<unknown[]> {
  const out: unknown[] = []
  for (const requester of LOCAL_USERS) {
    if (dir.importAccess.localUser(requester) === null) continue
    for (const term of TERMS) out.push([modes, requester, term, await dir.search(requester, term, 50, { explain: true })])
  }
  return out
}

function snapshot(dir: UserDirectory): unknown {
  return { tables: dir.tables(), stats: dir.stats(), position: dir.streamPosition() }
}

const MODES = [{}, { searchAllUsers: true }, { showLockedUsers: true, searchAllUsers: true }]

test('a sliced rebuild gives what the synchronous rebuild gives, on random directories', async () => {
  await fc.assert(
    fc.asyncProperty(faultHistory(20), fc.nat({ max: MODES.length - 1 }), fc.integer({ min: 1, max: 8 }), async ({ steps }, mode, stepSize) => {
      const options = { serverName: 'test', clock: new FakeClock(1_000), warmSearch: false, ...MODES[mode] }
      const sliced = await UserDirectory.open(options)
      const synchronous = await UserDirectory.open(options)
      try {
        await feed(sliced, steps)
        await feed(synchronous, steps)
        const seen = sliceFinely()
        rebuildSlicing.stepSize = stepSize
        await sliced.rebuild()
        // The index alone is built in slices of `stepSize` entries.
        assert.ok(seen.pauses >= Math.floor(sliced.stats().entries / stepSize), `the rebuild paused between slices (${seen.pauses})`)
        // Inside a batch, rebuild() runs synchronously (the old code path).
        await synchronous.batch(() => synchronous.rebuild())
        assert.equal(snapshot(sliced), snapshot(synchronous))
        assert.equal(await answers(sliced), await answers(synchronous))
      } finally {
        await sliced.close()
        await synchronous.close()
      }
    }),
    { numRuns: RUNS },
  )
})

// A directory with some users, rooms and a stale remote member; `ingest` one more user later.
async function smallDirectory(dir: UserDirectory): Promise<void> {
  for (const userId of LOCAL_USERS) {
    await dir.registerLocalUser(userId)
    await dir.handleLocalProfileChange(userId, { displayName: `Local ${userId.slice(1, 3)}`, avatarUrl: null })
  }
  const deltas: StateDelta[] = [
    { room_id: '!pub:test', type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' } },
    { room_id: '!pub:test', type: 'm.room.member', state_key: '@l0:test', content: { membership: 'join' } },
    { room_id: '!pub:test', type: 'm.room.member', state_key: '@r0:remote.org', content: { membership: 'join', displayname: 'Remote Alice' } },
    { room_id: '!priv:test', type: 'm.room.join_rules', state_key: '', content: { join_rule: 'invite' } },
    { room_id: '!priv:test', type: 'm.room.member', state_key: '@l1:test', content: { membership: 'join' } },
    { room_id: '!priv:test', type: 'm.room.member', state_key: '@l2:test', content: { membership: 'join' } },
    { room_id: '!priv:test', type: 'm.room.member', state_key: '@r1:remote.org', content: { membership: 'join', displayname: 'Private Bob' } },
  ]
  await dir.ingest(deltas, { position: 1 })
}

const LATE_JOIN: StateDelta[] = [{ room_id: '!pub:test', type: 'm.room.member', state_key: '@r2:other.net', content: { membership: 'join', displayname: 'Remote Latecomer' } }]

const small = (): { serverName: string; warmSearch: boolean; clock: FakeClock } => ({ serverName: 'test', warmSearch: false, clock: new FakeClock(1_000) })

// The small directory with the late join applied, without any rebuild.
async function expectedAfterLateJoin(): Promise<{ state: unknown; answers: unknown[] }> {
  const plain = await UserDirectory.open(small())
  await smallDirectory(plain)
  await plain.ingest(LATE_JOIN, { transactionId: 'late', position: 2 })
  const expected = { state: snapshot(plain), answers: await answers(plain) }
  await plain.close()
  return expected
}

test('searches during a rebuild get the answers from before it; an ingest sent during it waits and applies after it', async () => {
  const dir = await UserDirectory.open(small())
  await smallDirectory(dir)
  const before = await answers(dir)
  const stateBefore = snapshot(dir)
  let during = 0
  let ingest: Promise<unknown> | undefined
  let ingestDone = false
  const seen = sliceFinely(async () => {
    // Queued behind the rebuild: started at the first pause, applied after.
    ingest ??= dir.ingest(LATE_JOIN, { transactionId: 'late', position: 2 }).then(() => void (ingestDone = true))
    assert.equal(await answers(dir), before, `searches during the rebuild (pause ${seen.pauses})`)
    assert.not.ok(ingestDone, 'the ingest waits for the rebuild')
    assert.equal(snapshot(dir), stateBefore, 'nothing changes while the rebuild runs')
    during++
  })
  await dir.rebuild()
  assert.ok(during > 3, `searches were answered during the rebuild (${during})`)
  await ingest
  assert.ok(ingestDone)
  assert.is(dir.streamPosition(), 2)
  assert.ok(dir.isTransactionApplied('late'))
  const found = await dir.search('@l0:test', 'latecomer')
  assert.equal(found.results.map((r) => r.user_id), ['@r2:other.net'], 'the queued ingest applied to the rebuilt state')
  // Same as a directory that got the same work without a rebuild in between.
  const expected = await expectedAfterLateJoin()
  assert.equal(snapshot(dir), expected.state)
  assert.equal(await answers(dir), expected.answers)
  await dir.close()
})

test('a rebuild that fails in the middle leaves the directory as it was, is reported, and releases the waiting work', async () => {
  const dir = await UserDirectory.open(small())
  await smallDirectory(dir)
  const before = await answers(dir)
  const stateBefore = snapshot(dir)
  const seen = sliceFinely(() => {
    if (seen.pauses === 5) throw new Error('injected failure in the middle of a rebuild')
  })
  const failed = await settle(dir.rebuild())
  assert.not.ok(failed.ok, 'the failure is reported to the caller')
  assert.match(String((failed as { error: unknown }).error), 'injected failure')
  assert.equal(snapshot(dir), stateBefore, 'state as before the rebuild')
  assert.equal(await answers(dir), before, 'searches as before the rebuild')
  // Again, with an ingest waiting behind it: released when the rebuild fails, and applied.
  let ingest: Promise<unknown> | undefined
  const again = sliceFinely(() => {
    ingest ??= dir.ingest(LATE_JOIN, { transactionId: 'late', position: 2 })
    if (again.pauses === 5) throw new Error('injected failure in the middle of a rebuild')
  })
  assert.not.ok((await settle(dir.rebuild())).ok)
  await ingest
  const expected = await expectedAfterLateJoin()
  assert.equal(snapshot(dir), expected.state, 'the ingest waiting behind the failed rebuild applied, to the old state')
  assert.equal(await answers(dir), expected.answers)
  Object.assign(rebuildSlicing, defaults)
  await dir.rebuild()
  assert.equal(snapshot(dir), expected.state)
  await dir.close()
})

test('closing the directory during a rebuild stops it with an error', async () => {
  const dir = await UserDirectory.open({ serverName: 'test', warmSearch: false })
  await smallDirectory(dir)
  let closing: Promise<void> | undefined
  sliceFinely(() => void (closing ??= dir.close()))
  const result = await settle(dir.rebuild())
  assert.not.ok(result.ok)
  assert.ok((result as { error: unknown }).error instanceof UserDirectoryError)
  await closing
})

test('a rebuild whose commit is refused leaves the old state and index; a later one applies', async () => {
  const made = tempDir('userdir-rebuild-')
  dirs.push(made)
  const store = await FailingStore.open(made.path)
  const dir = await UserDirectory.openOnStore({ serverName: 'test', warmSearch: false, path: made.path }, store)
  await smallDirectory(dir)
  const before = await answers(dir)
  const stateBefore = snapshot(dir)
  sliceFinely()
  store.failing = true
  const failed = await settle(dir.rebuild())
  assert.not.ok(failed.ok)
  assert.ok((failed as { error: unknown }).error instanceof UserDirectoryError)
  assert.is(dir.health().ok, false, 'the refused commit shows in health()')
  assert.equal(snapshot(dir), stateBefore)
  assert.equal(await answers(dir), before)
  store.failing = false
  await dir.rebuild()
  assert.equal(snapshot(dir), stateBefore)
  assert.equal(await answers(dir), before)
  assert.is(dir.health().ok, true)
  await dir.close()
})

test('a local user change sent during a rebuild waits for it, then applies', async () => {
  const dir = await UserDirectory.open({ ...small(), searchAllUsers: true })
  await smallDirectory(dir)
  let other: Promise<void> | undefined
  let otherDone = false
  sliceFinely(() => {
    other ??= dir.handleLocalProfileChange('@l3:test', { displayName: 'Renamed During Rebuild', avatarUrl: null }).then(() => void (otherDone = true))
    assert.not.ok(otherDone)
  })
  await dir.rebuild()
  await other
  assert.equal(await dir.getProfile('@l3:test'), { display_name: 'Renamed During Rebuild', avatar_url: null })
  assert.is((await dir.search('@l0:test', 'renamed', 10)).results.length, 1)
  await dir.close()
})

test('a failed commit at 20k users is undone without a whole-directory recount or reindex', async () => {
  const made = tempDir('userdir-rollback-')
  dirs.push(made)
  const store = await FailingStore.open(made.path)
  const dir = await UserDirectory.openOnStore({ serverName: 'big.test', warmSearch: false, path: made.path }, store)
  const USERS = 20_000
  await dir.batch(async () => {
    for (let i = 0; i < USERS; i++) await dir.registerLocalUser(`@u${i}:big.test`)
    const joins: StateDelta[] = [{ room_id: '!hall:big.test', type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' } }]
    for (let i = 0; i < USERS; i++) joins.push({ room_id: '!hall:big.test', type: 'm.room.member', state_key: i % 2 === 0 ? `@u${i}:big.test` : `@remote${i}:far.org`, content: { membership: 'join', displayname: `User ${i}` } })
    await dir.ingest(joins, { position: 1 })
  })
  assert.ok(dir.stats().entries >= USERS)
  const before = snapshot(dir)
  const counts = { recount: 0, upsert: 0, newIndexes: 0 }
  const recountSteps = RoomVisibility.prototype.recountSteps
  const upsert = SearchIndex.prototype.upsert
  RoomVisibility.prototype.recountSteps = function (...args) {
    counts.recount++
    return recountSteps.apply(this, args)
  }
  SearchIndex.prototype.upsert = function (...args) {
    counts.upsert++
    return upsert.apply(this, args)
  }
  try {
    store.failing = true
    // The server leaves the hall (every member's counters change), new members join, a profile changes.
    const batch: StateDelta[] = [{ room_id: '!new:big.test', type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' } }]
    for (let i = 0; i < 10; i++) batch.push({ room_id: '!new:big.test', type: 'm.room.member', state_key: `@u${i}:big.test`, content: { membership: 'join' } })
    batch.push({ room_id: '!hall:big.test', type: 'm.room.member', state_key: '@u2:big.test', content: { membership: 'leave' } })
    const failed = await settle(dir.ingest(batch, { transactionId: 'full-disk', position: 2 }))
    assert.not.ok(failed.ok)
    const profile = await settle(dir.handleLocalProfileChange('@u4:big.test', { displayName: 'Changed', avatarUrl: null }))
    assert.not.ok(profile.ok)
  } finally {
    RoomVisibility.prototype.recountSteps = recountSteps
    SearchIndex.prototype.upsert = upsert
    store.failing = false
  }
  assert.is(counts.recount, 0, 'no visibility recount')
  assert.is(counts.upsert, 0, 'no entry re-indexed')
  assert.equal(snapshot(dir), before, 'memory as before the failed commits')
  assert.not.ok(dir.isTransactionApplied('full-disk'))
  await dir.close()
})

// ---- the plan on its own, from facts a directory could not reach by its
// API (entries no rule allows, stale marks nobody holds): the fixes it
// computes, applied as rebuild() applies them, give what the synchronous
// rebuild's rules give.

const USERS = ['@a:test', '@b:test', '@c:test', '@d:test', '@x:remote.org', '@y:remote.org', '@z:other.net'] as UserId[]

interface Facts {
  rooms: { isPublic: boolean; members: number[] }[]
  locals: { user: number; deactivated: boolean; locked: boolean; support: boolean }[]
  entries: { user: number; name: string | null }[]
  stale: number[]
}

const facts: fc.Arbitrary<Facts> = fc.record({
  rooms: fc.array(fc.record({ isPublic: fc.boolean(), members: fc.uniqueArray(fc.nat({ max: USERS.length - 1 }), { maxLength: 5 }) }), { maxLength: 4 }),
  locals: fc.uniqueArray(fc.record({ user: fc.nat({ max: 3 }), deactivated: fc.boolean(), locked: fc.boolean(), support: fc.boolean() }), { selector: (l) => l.user, maxLength: 4 }),
  entries: fc.uniqueArray(fc.record({ user: fc.nat({ max: USERS.length - 1 }), name: fc.option(fc.constantFrom('Ann', 'Bo', 'Cy'), { nil: null }) }), { selector: (e) => e.user, maxLength: 7 }),
  stale: fc.uniqueArray(fc.nat({ max: USERS.length - 1 }), { maxLength: 4 }),
})

function build(f: Facts): { rooms: Map<RoomId, RoomState>; registry: UserRegistry; entries: DirectoryEntries } {
  const rooms = new Map<RoomId, RoomState>()
  f.rooms.forEach((r, i) => rooms.set(`!r${i}:test` as RoomId, { joinRule: r.isPublic ? 'public' : 'invite', historyVisibility: null, joined: new Map(r.members.map((m) => [USERS[m], null])) }))
  const registry = new UserRegistry('test' as ServerName, [])
  for (const l of f.locals) registry.set(USERS[l.user], { userType: l.support ? 'support' : null, deactivated: l.deactivated, locked: l.locked })
  const entries = new DirectoryEntries()
  for (const e of f.entries) entries.load(USERS[e.user], { displayName: e.name, avatarUrl: null }, undefined)
  for (const u of f.stale) entries.load(USERS[u], undefined, { nextTryAtMs: 5, retryCounter: 1 })
  return { rooms, registry, entries }
}

function indexOf(entries: DirectoryEntries, registry: UserRegistry, visibility: RoomVisibility): SearchIndex {
  const index = new SearchIndex()
  for (const [userId, entry] of entries.entries()) {
    const flags = (registry.isLocked(userId) ? EntryFlag.Locked : 0) | (visibility.isInPublicRoom(userId) ? EntryFlag.InPublicRoom : 0)
    index.upsert({ userId, localpart: userId.slice(1, userId.indexOf(':')), serverName: userId.slice(userId.indexOf(':') + 1), displayName: entry.displayName, avatarUrl: entry.avatarUrl, isLocal: registry.isLocal(userId), flags })
  }
  return index
}

function describe(entries: DirectoryEntries, visibility: RoomVisibility, index: SearchIndex): unknown {
  const users: unknown[] = []
  for (let id = 0; id < index.idLimit; id++) users.push([index.user(id), index.user(id) === undefined ? 0 : index.flags(id)])
  return {
    entries: [...entries.entries()],
    stale: [...entries.staleEntries()],
    relations: visibility.relations(),
    counters: [[...visibility.localMemberCounts], [...visibility.publicRoomCounts], [...visibility.sharedRoomCounts]],
    index: users,
  }
}

test('the plan on inconsistent facts: its fixes and index equal the synchronous rebuild rules', async () => {
  await fc.assert(
    fc.asyncProperty(facts, fc.integer({ min: 1, max: 4 }), async (f, stepSize) => {
      // The rebuild rules written out as the reference: recount, add, drop, unmark, then index every entry.
      const expected = build(f)
      const visibility = new RoomVisibility(expected.rooms, expected.registry)
      visibility.recount()
      const { registry, entries } = expected
      for (const [userId] of registry.entries()) {
        if (registry.isIncluded(userId)) {
          if (!entries.has(userId)) entries.set(userId, { displayName: null, avatarUrl: null })
        } else entries.delete(userId)
      }
      for (const [userId] of [...entries.entries()]) {
        if (!(registry.isLocal(userId) ? registry.isIncluded(userId) : visibility.isRemoteHeld(userId))) entries.delete(userId)
      }
      for (const [userId] of [...entries.staleEntries()]) if (!visibility.isRemoteHeld(userId)) entries.clearStale(userId)
      // The sliced plan, its fixes applied as rebuild() applies them.
      const actual = build(f)
      sliceFinely()
      rebuildSlicing.stepSize = stepSize
      const plan = await planRebuild({ ...actual, newIndex: () => new SearchIndex(), check: () => undefined })
      for (const userId of plan.adds) actual.entries.set(userId, { displayName: null, avatarUrl: null })
      for (const userId of plan.drops) actual.entries.delete(userId)
      for (const userId of plan.unmarks) actual.entries.clearStale(userId)
      assert.equal(describe(actual.entries, plan.visibility, plan.index), describe(entries, visibility, indexOf(entries, registry, visibility)))
    }),
    { numRuns: propertyRuns(150) },
  )
})

test('over HTTP: POST /rebuild answers 202, searches are answered during it, deltas sent during it queue behind it and apply', async () => {
  const dir = await seededDirectory({ warmSearch: false })
  const service = await start(dir, { adminToken: 'admin', accessTokens: { alice: TOKENS.alice } })
  try {
    let searched = 0
    let deltas: Promise<{ status: number; body: { stream_position: number } }> | undefined
    let deltasDone = false
    sliceFinely(async () => {
      deltas ??= service.request('POST', '/_userdir/admin/v1/deltas', { token: 'admin', body: { deltas: [{ room_id: '!public:test', type: 'm.room.member', state_key: '@dave:far.org', content: { membership: 'join', displayname: 'Dave' } }], position: 7 } }).finally(() => void (deltasDone = true))
      if (searched < 3) {
        const answer = await service.search('alice', { search_term: 'bob' })
        assert.equal(answer.body.results.map((r: { user_id: string }) => r.user_id), ['@bob:test'])
        assert.is((await service.search('alice', { search_term: 'dave' })).body.results.length, 0, 'the queued deltas have not applied')
        searched++
      }
      assert.not.ok(deltasDone, 'the deltas wait for the rebuild')
    })
    const started = await service.request('POST', '/_userdir/admin/v1/rebuild', { token: 'admin' })
    assert.is(started.status, 202)
    const applied = await (async () => {
      for (;;) {
        if (deltas !== undefined) return deltas
        await new Promise((resolve) => setImmediate(resolve))
      }
    })()
    assert.is(applied.status, 200)
    assert.is(applied.body.stream_position, 7)
    assert.is(searched, 3, 'searches were answered while the rebuild ran')
    assert.is((await service.request('GET', '/_userdir/admin/v1/stats', { token: 'admin' })).body.rebuilding, false)
    assert.equal((await service.search('alice', { search_term: 'dave' })).body.results.map((r: { user_id: string }) => r.user_id), ['@dave:far.org'])
  } finally {
    await service.stop()
    await dir.close()
  }
})

test.run()
