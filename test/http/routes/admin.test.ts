import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../../src/index.js'
import { publicRoomDeltas, wrapDirectory } from '../fixtures.js'
import { start } from '../harness.js'
import type { Running } from '../harness.js'

const ADMIN = 'admin-secret'
const test = suite<{ dir: UserDirectory; service: Running; clock: FakeClock }>('src/http/routes/admin.ts')

test.before.each(async (ctx) => {
  ctx.dir = await UserDirectory.open({ serverName: 'test' })
  ctx.clock = new FakeClock()
  ctx.service = await start(ctx.dir, { adminToken: ADMIN, clock: ctx.clock, accessTokens: { alice: '@alice:test' } })
})
test.after.each(async (ctx) => {
  await ctx.service.stop()
  await ctx.dir.close()
})

const putUser = (service: Running, userId: string, body: unknown, token = ADMIN) => service.request('PUT', `/_userdir/admin/v1/users/${encodeURIComponent(userId)}`, { token, body })

test('no admin token is 401 M_MISSING_TOKEN, a wrong one 403 M_FORBIDDEN', async ({ service }) => {
  const missing = await service.request('GET', '/_userdir/admin/v1/stats')
  assert.is(missing.status, 401)
  assert.is(missing.body.errcode, 'M_MISSING_TOKEN')
  const wrong = await service.request('GET', '/_userdir/admin/v1/stats', { token: 'alice' })
  assert.is(wrong.status, 403)
  assert.is(wrong.body.errcode, 'M_FORBIDDEN')
})

test('without a configured admin token the admin API is 403 M_FORBIDDEN', async ({ dir }) => {
  const service = await start(dir, {})
  try {
    assert.is((await service.request('GET', '/_userdir/admin/v1/stats', { token: 'anything' })).status, 403)
  } finally {
    await service.stop()
  }
})

test('PUT users registers a local user with a profile; absent fields keep their value', async ({ dir, service }) => {
  const created = await putUser(service, '@alice:test', { displayname: 'Alice', avatar_url: 'mxc://test/a' })
  assert.is(created.status, 200)
  assert.equal(created.body, { user_id: '@alice:test', profile: { display_name: 'Alice', avatar_url: 'mxc://test/a' } })
  await putUser(service, '@alice:test', { displayname: 'Alice Smith' })
  assert.equal(await dir.getProfile('@alice:test'), { display_name: 'Alice Smith', avatar_url: 'mxc://test/a' })
  const read = await service.request('GET', '/_userdir/admin/v1/users/%40alice%3Atest', { token: ADMIN })
  assert.equal(read.body.profile, { display_name: 'Alice Smith', avatar_url: 'mxc://test/a' })
})

test('PUT users with deactivated, locked or user_type support changes who is in the directory', async ({ dir, service }) => {
  await putUser(service, '@bob:test', { displayname: 'Bob' })
  await putUser(service, '@alice:test', { displayname: 'Alice' })
  await dir.ingest(publicRoomDeltas('!p:test', ['@alice:test', '@bob:test']))
  assert.is((await service.search('alice', { search_term: 'bob' })).body.results.length, 1)
  await putUser(service, '@bob:test', { locked: true })
  assert.is((await service.search('alice', { search_term: 'bob' })).body.results.length, 0)
  await putUser(service, '@bob:test', { locked: false })
  assert.is((await service.search('alice', { search_term: 'bob' })).body.results.length, 1)
  const deactivated = await putUser(service, '@bob:test', { deactivated: true })
  assert.is(deactivated.body.profile, null)
  assert.is(await dir.getProfile('@bob:test'), null)
  await putUser(service, '@carol:test', { user_type: 'support', displayname: 'Carol' })
  assert.is(await dir.getProfile('@carol:test'), null)
  assert.is((await service.request('GET', '/_userdir/admin/v1/users/%40bob%3Atest', { token: ADMIN })).status, 404)
})

test('PUT users with a bad field or a remote user id is 400 with the engine errcode', async ({ service }) => {
  const badType = await putUser(service, '@alice:test', { locked: 'yes' })
  assert.is(badType.status, 400)
  assert.is(badType.body.errcode, 'M_INVALID_PARAM')
  const remote = await putUser(service, '@bob:elsewhere', {})
  assert.is(remote.status, 400)
  assert.is(remote.body.errcode, 'M_INVALID_PARAM')
})

test('POST deltas ingests with the position and reports skipped deltas', async ({ dir, clock, service }) => {
  await putUser(service, '@alice:test', { displayname: 'Alice' })
  const deltas = [...publicRoomDeltas('!p:test', ['@alice:test', '@bruce:remote']), { room_id: '!p:test', type: 'm.room.member', state_key: 'garbage', content: {} }]
  const { status, body } = await service.request('POST', '/_userdir/admin/v1/deltas', { token: ADMIN, body: { deltas, position: 42 } })
  assert.is(status, 200)
  assert.is(body.applied, 3)
  assert.is(body.skipped.length, 1)
  assert.is(body.skipped[0].index, 3)
  assert.is(body.stream_position, 42)
  assert.is(dir.streamPosition(), 42)
  await clock.advance(5_000)
  const stats = await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })
  assert.is(stats.body.stream_position, 42)
  assert.is(stats.body.entries, 2)
  assert.is(stats.body.rebuilding, false)
  assert.is(stats.body.last_ingest_at_ms, clock.now() - 5_000)
  assert.is(stats.body.batches_applied, 1)
})

test('POST deltas with a bad position or no deltas array is 400', async ({ service }) => {
  assert.is((await service.request('POST', '/_userdir/admin/v1/deltas', { token: ADMIN, body: { deltas: [], position: 1.5 } })).body.errcode, 'M_INVALID_PARAM')
  assert.is((await service.request('POST', '/_userdir/admin/v1/deltas', { token: ADMIN, body: { position: 1 } })).body.errcode, 'M_BAD_JSON')
})

test('appservice ingest lag is the apply time minus the newest event timestamp', async ({ dir, clock }) => {
  const service = await start(dir, { adminToken: ADMIN, hsToken: 'hs', clock })
  try {
    const event = { type: 'm.room.join_rules', room_id: '!r:test', state_key: '', content: { join_rule: 'public' }, origin_server_ts: clock.now() - 1_500 }
    await service.request('PUT', '/_matrix/app/v1/transactions/1', { token: 'hs', body: { events: [event] } })
    assert.is((await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })).body.ingest_lag_ms, 1_500)
  } finally {
    await service.stop()
  }
})

test('POST rebuild runs dir.rebuild in the background; stats say rebuilding until it ends', async ({ dir }) => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let rebuilds = 0
  const slow = wrapDirectory(dir, {
    rebuild: async () => {
      rebuilds++
      await gate
      await dir.rebuild()
    },
  })
  const service = await start(slow, { adminToken: ADMIN })
  try {
    const first = await service.request('POST', '/_userdir/admin/v1/rebuild', { token: ADMIN })
    assert.is(first.status, 202)
    assert.equal(first.body, { started: true, rebuilding: true })
    assert.is((await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })).body.rebuilding, true)
    const second = await service.request('POST', '/_userdir/admin/v1/rebuild', { token: ADMIN })
    assert.equal(second.body, { started: false, rebuilding: true })
    // Deltas queue behind the rebuild, so their answer means it has ended.
    const queued = service.request('POST', '/_userdir/admin/v1/deltas', { token: ADMIN, body: { deltas: [] } })
    release()
    assert.is((await queued).status, 200)
    assert.is((await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })).body.rebuilding, false)
    assert.is(rebuilds, 1)
  } finally {
    release()
    await service.stop()
  }
})

test.run()
