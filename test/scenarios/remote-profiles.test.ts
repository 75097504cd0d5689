import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as assert from 'uvu/assert'
import { ProfileFetchError } from '../../src/index.js'
import type { TestHomeserver } from '../../src/index.js'
import { createHomeserver, scenarioSuite } from './harness.js'

const test = scenarioSuite('scenarios/remote-profiles')
const SECOND = 1000
const MINUTE = 60 * SECOND

type Fetch = (userId: string) => Promise<{ displayname?: unknown; avatar_url?: unknown }>

async function setup(fetch: Fetch) {
  const calls: string[] = []
  const hs = await createHomeserver({ profileFetcher: (userId) => { calls.push(userId); return fetch(userId) } })
  const alice = await hs.registerUser('alice')
  const pub = await hs.createRoom(alice, { isPublic: true })
  const priv = await hs.createRoom(alice, { isPublic: false })
  return { hs, alice, pub, priv, calls }
}

const stale = (hs: TestHomeserver) => hs.tables().staleRemoteUsers

test('public-room joins collect the profile from the member event; private-room joins do not', async () => {
  const { hs, pub, priv, calls } = await setup(async () => ({ displayname: 'Global' }))
  await hs.injectMemberEvent(pub, '@pub:remote', 'join', { displayname: 'Pub', avatar_url: 'mxc://r/p' })
  await hs.injectMemberEvent(priv, '@priv:remote', 'join', { displayname: 'Nick' })
  assert.equal(hs.tables().users.get('@pub:remote'), { display_name: 'Pub', avatar_url: 'mxc://r/p' })
  assert.not.ok(hs.tables().users.has('@priv:remote'))
  assert.equal(stale(hs).map((s) => s.userId), ['@priv:remote'])
  assert.equal(stale(hs)[0].nextTryAtMs, hs.clock.now() + MINUTE)
  assert.equal(calls, [])
})

test('a private-room join gets the global profile fetched 61 s later', async () => {
  const { hs, priv, calls } = await setup(async () => ({ displayname: 'Global Name', avatar_url: 'mxc://r/g' }))
  await hs.injectMemberEvent(priv, '@bruce:remote', 'join', { displayname: 'Nick' })
  await hs.advance(60 * SECOND)
  assert.equal(calls, [])
  assert.not.ok(hs.tables().users.has('@bruce:remote'))
  await hs.advance(1 * SECOND)
  assert.equal(calls, ['@bruce:remote'])
  assert.equal(hs.tables().users.get('@bruce:remote'), { display_name: 'Global Name', avatar_url: 'mxc://r/g' })
  assert.equal(stale(hs), [])
})

test('a failed fetch is retried after the back-off', async () => {
  let fail = true
  const { hs, priv, calls } = await setup(async () => {
    if (fail) throw new Error('connection refused')
    return { displayname: 'Bruce' }
  })
  await hs.injectMemberEvent(priv, '@bruce:remote', 'join')
  await hs.advance(61 * SECOND)
  assert.equal(calls.length, 1)
  assert.not.ok(hs.tables().users.has('@bruce:remote'))
  assert.equal(stale(hs)[0].retryCounter, 1)
  fail = false
  // Next try 5 min after the failure; the wake-up comes 2 s after that.
  await hs.advance(5 * MINUTE)
  assert.not.ok(hs.tables().users.has('@bruce:remote'))
  await hs.advance(2 * SECOND)
  assert.equal(hs.tables().users.get('@bruce:remote'), { display_name: 'Bruce', avatar_url: null })
  assert.equal(calls.length, 2)
})

test('a server that keeps failing backs off 5 min, 25 min, 2 h, 10 h, 52 h, 10 days, 7.75 weeks, then stays at 7.75 weeks', async () => {
  const { hs, priv, calls } = await setup(async () => { throw new ProfileFetchError('bad gateway', { status: 502 }) })
  await hs.injectMemberEvent(priv, '@bruce:remote', 'join')
  await hs.advance(61 * SECOND)
  const delaysMin = [5, 25, 125, 625, 3125, 15625, 78125, 78125]
  for (let i = 0; i < delaysMin.length; i++) {
    const [mark] = stale(hs)
    assert.equal(mark.retryCounter, i + 1)
    assert.equal(mark.nextTryAtMs - hs.clock.now(), delaysMin[i] * MINUTE, `delay ${i + 1}`)
    await hs.advance(mark.nextTryAtMs - hs.clock.now() + 2 * SECOND)
    assert.equal(calls.length, i + 2)
  }
})

test('404 M_NOT_FOUND clears the stale mark and keeps the entry as it is', async () => {
  const { hs, pub, priv } = await setup(async () => { throw new ProfileFetchError('no such profile', { status: 404, errcode: 'M_NOT_FOUND' }) })
  await hs.injectMemberEvent(pub, '@bruce:remote', 'join', { displayname: 'Public Bruce' })
  await hs.injectMemberEvent(priv, '@bruce:remote', 'join', { displayname: 'Nick' })
  await hs.advance(61 * SECOND)
  assert.equal(stale(hs), [])
  assert.equal(hs.tables().users.get('@bruce:remote'), { display_name: 'Public Bruce', avatar_url: null })
})

test('a server in back-off is tried again when its back-off ends', async () => {
  let until = 0
  const { hs, priv, calls } = await setup(async () => { throw new ProfileFetchError('backing off', { backoffUntilMs: until }) })
  until = hs.clock.now() + 61 * SECOND + 3 * 60 * MINUTE
  await hs.injectMemberEvent(priv, '@bruce:remote', 'join')
  await hs.advance(61 * SECOND)
  assert.equal(stale(hs), [{ userId: '@bruce:remote', nextTryAtMs: until, retryCounter: 1 }])
  await hs.advance(until - hs.clock.now() + 2 * SECOND)
  assert.equal(calls.length, 2)
})

test('the periodic look refreshes at most 5 servers at once', async () => {
  // First fetches fail at once (the per-server wake-ups at +61 s are not
  // limited, as in Synapse); the retries 5 min later come from the periodic
  // look, which starts at most 5 servers and hangs on their fetches.
  let phase: 'fail' | 'hang' = 'fail'
  const pending: (() => void)[] = []
  const started = new Set<string>()
  const { hs, priv } = await setup((userId) => {
    if (phase === 'fail') return Promise.reject(new Error('down'))
    started.add(userId)
    return new Promise((resolve) => pending.push(() => resolve({ displayname: userId })))
  })
  for (let s = 0; s < 7; s++) await hs.injectMemberEvent(priv, `@u:server${s}.org`, 'join')
  await hs.advance(61 * SECOND)
  assert.equal(stale(hs).map((m) => m.retryCounter), [1, 1, 1, 1, 1, 1, 1])
  phase = 'hang'
  await hs.advance(5 * MINUTE + 2 * SECOND)
  assert.equal(started.size, 5)
  await hs.advance(60 * SECOND)
  assert.equal(started.size, 5, 'no sixth server while five are busy')
  while (pending.length > 0) pending.shift()?.()
  await hs.advance(15 * SECOND)
  assert.equal(started.size, 7)
  while (pending.length > 0) pending.shift()?.()
  await hs.advance(0)
  assert.equal(stale(hs), [])
  assert.equal(hs.tables().users.size, 8)
})

test('closing the directory cancels every timer', async () => {
  const { hs, priv } = await setup(async () => ({ displayname: 'x' }))
  await hs.injectMemberEvent(priv, '@bruce:remote', 'join')
  assert.ok(hs.clock.pendingTimers > 0)
  await hs.close()
  assert.equal(hs.clock.pendingTimers, 0)
})

test('a user who leaves before the fetch is not brought back by it', async () => {
  const { hs, priv, calls } = await setup(async () => ({ displayname: 'Ghost' }))
  await hs.injectMemberEvent(priv, '@bruce:remote', 'join')
  await hs.injectMemberEvent(priv, '@bruce:remote', 'leave')
  await hs.advance(200 * SECOND)
  assert.equal(calls, [])
  assert.not.ok(hs.tables().users.has('@bruce:remote'))
})

test('stale marks survive a restart and the refresh resumes from them on open', async () => {
  const path = mkdtempSync(join(tmpdir(), 'userdir-stale-'))
  try {
    const first = await createHomeserver({ path, profileFetcher: async () => ({ displayname: 'never asked' }) })
    const alice = await first.registerUser('alice')
    const priv = await first.createRoom(alice, { isPublic: false })
    await first.injectMemberEvent(priv, '@bruce:remote', 'join', { displayname: 'Nick' })
    const [mark] = stale(first)
    await first.close()

    const calls: string[] = []
    const second = await createHomeserver({ path, profileFetcher: async (userId) => { calls.push(userId); return { displayname: 'Bruce' } } })
    assert.equal(stale(second), [mark])
    await second.advance(mark.nextTryAtMs - second.clock.now() + 2 * SECOND)
    assert.equal(calls, ['@bruce:remote'])
    assert.equal(second.tables().users.get('@bruce:remote'), { display_name: 'Bruce', avatar_url: null })
    assert.equal(stale(second), [])
    await second.close()
  } finally {
    rmSync(path, { recursive: true, force: true })
  }
})

test.run()
