import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../../src/index.js'
import { stateDeltasOf } from '../../../src/http/routes/appservice.js'
import { start } from '../harness.js'
import type { Running } from '../harness.js'

const HS_TOKEN = 'hs-secret'
const test = suite<{ dir: UserDirectory; service: Running }>('src/http/routes/appservice.ts')

function member(roomId: string, userId: string, membership: string, extra: Record<string, unknown> = {}) {
  return { type: 'm.room.member', room_id: roomId, state_key: userId, sender: userId, event_id: `$${roomId}${userId}${membership}`, origin_server_ts: 1_700_000_000_000, content: { membership, ...extra } }
}
const joinRules = (roomId: string, rule: string) => ({ type: 'm.room.join_rules', room_id: roomId, state_key: '', sender: '@alice:test', event_id: `$jr${roomId}`, content: { join_rule: rule } })
const message = (roomId: string) => ({ type: 'm.room.message', room_id: roomId, sender: '@alice:test', event_id: '$msg', content: { body: 'hi' } })

async function put(service: Running, txnId: string, events: unknown[], token: string | null = HS_TOKEN, path = '/_matrix/app/v1/transactions/') {
  return service.request('PUT', path + encodeURIComponent(txnId), { token: token ?? undefined, body: { events } })
}

test.before.each(async (ctx) => {
  ctx.dir = await UserDirectory.open({ serverName: 'test' })
  await ctx.dir.registerLocalUser('@alice:test', {})
  await ctx.dir.handleLocalProfileChange('@alice:test', { displayName: 'Alice', avatarUrl: null })
  ctx.service = await start(ctx.dir, { hsToken: HS_TOKEN, accessTokens: { alice: '@alice:test' } })
})
test.after.each(async (ctx) => {
  await ctx.service.stop()
  await ctx.dir.close()
})

test('the state events of a transaction are ingested; other events are ignored', async ({ dir, service }) => {
  const { status, body } = await put(service, 't1', [joinRules('!r:test', 'public'), member('!r:test', '@alice:test', 'join'), message('!r:test'), member('!r:test', '@bruce:remote', 'join', { displayname: 'Bruce' })])
  assert.is(status, 200)
  assert.equal(body, {})
  assert.equal(await dir.getProfile('@bruce:remote'), { display_name: 'Bruce', avatar_url: null })
  assert.is((await service.search('alice', { search_term: 'bru' })).body.results[0].user_id, '@bruce:remote')
})

test('the legacy /transactions/{txnId} path works too', async ({ dir, service }) => {
  const { status } = await put(service, 'legacy1', [joinRules('!r:test', 'public'), member('!r:test', '@alice:test', 'join'), member('!r:test', '@bruce:remote', 'join', { displayname: 'Bruce' })], HS_TOKEN, '/transactions/')
  assert.is(status, 200)
  assert.ok((await dir.getProfile('@bruce:remote')) !== null)
})

test('the hs_token may come as ?access_token=', async ({ service }) => {
  const { status } = await service.request('PUT', `/_matrix/app/v1/transactions/q1?access_token=${HS_TOKEN}`, { body: { events: [] } })
  assert.is(status, 200)
})

test('no hs_token is 401 M_UNAUTHORIZED, a wrong one 403 M_FORBIDDEN, and nothing is applied', async ({ dir, service }) => {
  const events = [joinRules('!r:test', 'public'), member('!r:test', '@alice:test', 'join')]
  const missing = await put(service, 'a1', events, null)
  assert.is(missing.status, 401)
  assert.is(missing.body.errcode, 'M_UNAUTHORIZED')
  const wrong = await put(service, 'a1', events, 'not-the-token')
  assert.is(wrong.status, 403)
  assert.is(wrong.body.errcode, 'M_FORBIDDEN')
  assert.is(dir.stats().rooms, 0)
})

test('without a configured hs_token transactions are 403 M_FORBIDDEN', async ({ dir }) => {
  const service = await start(dir, {})
  try {
    const { status, body } = await put(service, 'x', [])
    assert.is(status, 403)
    assert.is(body.errcode, 'M_FORBIDDEN')
  } finally {
    await service.stop()
  }
})

test('the same txnId twice applies once', async ({ dir, service }) => {
  await put(service, 'once', [joinRules('!r:test', 'public'), member('!r:test', '@alice:test', 'join')])
  await put(service, 'dup', [member('!r:test', '@bruce:remote', 'join', { displayname: 'Bruce' })])
  await put(service, 'leave', [member('!r:test', '@bruce:remote', 'leave')])
  assert.is(await dir.getProfile('@bruce:remote'), null)
  // The homeserver retries "dup": applying it again would bring Bruce back.
  const again = await put(service, 'dup', [member('!r:test', '@bruce:remote', 'join', { displayname: 'Bruce' })])
  assert.is(again.status, 200)
  assert.equal(again.body, {})
  assert.is(await dir.getProfile('@bruce:remote'), null)
  const stats = (await service.request('GET', '/metrics')).body as string
  assert.match(stats, /userdir_deltas_ingested_total 4\n/)
})

test('a malformed event is skipped and the rest of the transaction applies', async ({ dir, service }) => {
  const { status } = await put(service, 'bad', [
    joinRules('!r:test', 'public'),
    member('!r:test', '@alice:test', 'join'),
    { type: 'm.room.member', room_id: '!r:test', state_key: 'not a user id', content: { membership: 'join' } },
    { type: 'm.room.member', room_id: '!r:test', state_key: '@x:remote', content: 'not an object' },
    member('!r:test', '@bruce:remote', 'join', { displayname: 'Bruce' }),
  ])
  assert.is(status, 200)
  assert.ok((await dir.getProfile('@bruce:remote')) !== null)
})

test('a transaction without an events array is 400 M_BAD_JSON; not JSON is 400 M_NOT_JSON', async ({ service }) => {
  const noEvents = await service.request('PUT', '/_matrix/app/v1/transactions/e1', { token: HS_TOKEN, body: { events: 'nope' } })
  assert.is(noEvents.status, 400)
  assert.is(noEvents.body.errcode, 'M_BAD_JSON')
  const notJson = await service.request('PUT', '/_matrix/app/v1/transactions/e2', { token: HS_TOKEN, raw: 'events' })
  assert.is(notJson.status, 400)
  assert.is(notJson.body.errcode, 'M_NOT_JSON')
})

test('POST /_matrix/app/v1/ping answers {} with the hs_token', async ({ service }) => {
  assert.equal((await service.request('POST', '/_matrix/app/v1/ping', { token: HS_TOKEN, body: {} })).body, {})
  assert.is((await service.request('POST', '/_matrix/app/v1/ping', { body: {} })).status, 401)
})

test('stateDeltasOf keeps events with a string state_key, in order, and finds the newest timestamp', () => {
  const { deltas, newestEventMs } = stateDeltasOf([message('!r:test'), 7, null, joinRules('!r:test', 'public'), { ...member('!r:test', '@a:test', 'join'), origin_server_ts: 5 }])
  assert.equal(deltas.map((d) => d.type), ['m.room.join_rules', 'm.room.member'])
  assert.equal(deltas[0], { room_id: '!r:test', type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' }, event_id: '$jr!r:test' })
  assert.is(newestEventMs, 5)
})

test('a transaction applied before a restart is not applied again after it (LMDB)', async () => {
  const path = mkdtempSync(join(tmpdir(), 'userdir-txn-'))
  try {
    let dir = await UserDirectory.open({ serverName: 'test', path })
    await dir.registerLocalUser('@alice:test', {})
    let service = await start(dir, { hsToken: HS_TOKEN })
    await put(service, 'persist-1', [joinRules('!r:test', 'public'), member('!r:test', '@alice:test', 'join'), member('!r:test', '@bruce:remote', 'join', { displayname: 'Bruce' })])
    await put(service, 'persist-2', [member('!r:test', '@bruce:remote', 'leave')])
    await service.stop()
    await dir.close()

    dir = await UserDirectory.open({ serverName: 'test', path })
    service = await start(dir, { hsToken: HS_TOKEN })
    assert.is(await dir.getProfile('@bruce:remote'), null)
    assert.is((await put(service, 'persist-1', [member('!r:test', '@bruce:remote', 'join', { displayname: 'Bruce' })])).status, 200)
    assert.is(await dir.getProfile('@bruce:remote'), null)
    await service.stop()
    await dir.close()
  } finally {
    rmSync(path, { recursive: true, force: true })
  }
})

test.run()
