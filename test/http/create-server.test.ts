import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory, UserDirectoryError } from '../../src/index.js'
import { seededDirectory, TOKENS, wrapDirectory } from './fixtures.js'
import { SEARCH_PATH, start } from './harness.js'
import type { Running } from './harness.js'

const test = suite<{ service: Running; dir: UserDirectory }>('src/http/create-server.ts')

test.before.each(async (ctx) => {
  ctx.dir = await seededDirectory()
  ctx.service = await start(ctx.dir, { accessTokens: { ...TOKENS } })
})
test.after.each(async (ctx) => {
  await ctx.service.stop()
  await ctx.dir.close()
})

test('a search with a valid token answers 200 with limited and results, without scores', async ({ service }) => {
  const { status, body } = await service.search('alice', { search_term: 'bo' })
  assert.is(status, 200)
  assert.equal(body, { limited: false, results: [{ user_id: '@bob:test', display_name: 'Bob', avatar_url: null }] })
})

test('the r0 path and ?access_token= work too', async ({ service }) => {
  const { status, body } = await service.request('POST', '/_matrix/client/r0/user_directory/search?access_token=alice', { body: { search_term: 'car' } })
  assert.is(status, 200)
  assert.is(body.results[0].user_id, '@carol:test')
})

test('no token is 401 M_MISSING_TOKEN', async ({ service }) => {
  const { status, body } = await service.search(undefined, { search_term: 'a' })
  assert.is(status, 401)
  assert.is(body.errcode, 'M_MISSING_TOKEN')
  assert.type(body.error, 'string')
})

test('an unknown token is 503 M_UNKNOWN, never 401, when no homeserver is configured to check it', async ({ service }) => {
  // A 401 makes matrix-js-sdk log the user out; nobody said this token is bad.
  const { status, body } = await service.search('nope', { search_term: 'a' })
  assert.is(status, 503)
  assert.is(body.errcode, 'M_UNKNOWN')
})

test('limit defaults to 10 and is clamped to 0..50', async ({ dir, service }) => {
  const deltas = []
  for (let i = 0; i < 60; i++) {
    const userId = `@user${String(i).padStart(2, '0')}:test`
    await dir.registerLocalUser(userId, {})
    deltas.push({ room_id: '!public:test', type: 'm.room.member', state_key: userId, content: { membership: 'join' } })
  }
  await dir.ingest(deltas)
  const byDefault = await service.search('alice', { search_term: 'user' })
  assert.is(byDefault.body.results.length, 10)
  assert.is(byDefault.body.limited, true)
  assert.is((await service.search('alice', { search_term: 'user', limit: 500 })).body.results.length, 50)
  const negative = await service.search('alice', { search_term: 'user', limit: -3 })
  assert.is(negative.status, 200)
  assert.equal(negative.body, { limited: true, results: [] })
})

test("limit is Synapse's int(limit): numbers truncate, numeric strings parse, what int() refuses is 400 M_INVALID_PARAM", async ({ dir, service }) => {
  const deltas = []
  for (let i = 0; i < 12; i++) {
    const userId = `@user${String(i).padStart(2, '0')}:test`
    await dir.registerLocalUser(userId, {})
    deltas.push({ room_id: '!public:test', type: 'm.room.member', state_key: userId, content: { membership: 'join' } })
  }
  await dir.ingest(deltas)
  const cases: [unknown, number][] = [[2.5, 2], ['5', 5], [' 7 ', 7], ['+3', 3], ['1_1', 11], [true, 1], [false, 0], ['-4', 0], [-2.5, 0], ['٣', 3], ['999999999999999999999', 12]]
  for (const [limit, count] of cases) {
    const { status, body } = await service.search('alice', { search_term: 'user', limit })
    assert.is(status, 200, JSON.stringify(limit))
    assert.is(body.results.length, count, JSON.stringify(limit))
  }
  for (const limit of [null, '2.5', 'ten', '', '1__1', '0x10', [3], { n: 3 }]) {
    const { status, body } = await service.search('alice', { search_term: 'a', limit })
    assert.is(status, 400, JSON.stringify(limit))
    assert.is(body.errcode, 'M_INVALID_PARAM')
  }
})

test('a missing search_term is 400 M_BAD_JSON', async ({ service }) => {
  const { status, body } = await service.search('alice', { limit: 3 })
  assert.is(status, 400)
  assert.equal(body, { errcode: 'M_BAD_JSON', error: '`search_term` is required field' })
})

test('a search_term that is not a string is 400 M_INVALID_PARAM', async ({ service }) => {
  const { status, body } = await service.search('alice', { search_term: 42 })
  assert.is(status, 400)
  assert.is(body.errcode, 'M_INVALID_PARAM')
})

test('a body that is not JSON is 400 M_NOT_JSON, JSON that is not an object is 400 M_BAD_JSON', async ({ service }) => {
  const notJson = await service.request('POST', SEARCH_PATH, { token: 'alice', raw: '{"search_term": ' })
  assert.is(notJson.status, 400)
  assert.is(notJson.body.errcode, 'M_NOT_JSON')
  const empty = await service.request('POST', SEARCH_PATH, { token: 'alice', raw: '' })
  assert.is(empty.body.errcode, 'M_NOT_JSON')
  const array = await service.request('POST', SEARCH_PATH, { token: 'alice', raw: '["a"]' })
  assert.is(array.status, 400)
  assert.is(array.body.errcode, 'M_BAD_JSON')
})

test('a body over the size cap is 413 M_TOO_LARGE', async ({ dir }) => {
  const small = await start(dir, { accessTokens: { ...TOKENS }, maxBodyBytes: 100 })
  try {
    const { status, body } = await small.search('alice', { search_term: 'a'.repeat(200) })
    assert.is(status, 413)
    assert.is(body.errcode, 'M_TOO_LARGE')
    assert.is((await small.search('alice', { search_term: 'al' })).status, 200)
  } finally {
    await small.stop()
  }
})

test('an unknown path is 404 M_UNRECOGNIZED and a wrong method 405 M_UNRECOGNIZED', async ({ service }) => {
  const missing = await service.request('GET', '/_matrix/client/v3/nothing')
  assert.is(missing.status, 404)
  assert.equal(missing.body, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
  const wrongMethod = await service.request('GET', SEARCH_PATH, { token: 'alice' })
  assert.is(wrongMethod.status, 405)
  assert.is(wrongMethod.body.errcode, 'M_UNRECOGNIZED')
})

test('every answer carries the CORS headers Matrix web clients expect', async ({ service }) => {
  for (const response of [await service.search('alice', { search_term: 'b' }), await service.request('GET', '/nowhere')]) {
    assert.is(response.headers.get('access-control-allow-origin'), '*')
    assert.is(response.headers.get('access-control-allow-methods'), 'GET, POST, PUT, DELETE, OPTIONS')
    assert.is(response.headers.get('access-control-allow-headers'), 'X-Requested-With, Content-Type, Authorization, Date')
  }
})

test('a CORS preflight OPTIONS is answered without a token', async ({ service }) => {
  const response = await fetch(service.url + SEARCH_PATH, {
    method: 'OPTIONS',
    headers: { Origin: 'https://app.element.io', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
  })
  assert.is(response.status, 204)
  assert.is(response.headers.get('access-control-allow-origin'), '*')
  assert.ok(response.headers.get('access-control-allow-methods')?.includes('POST'))
  assert.ok(response.headers.get('access-control-allow-headers')?.includes('Authorization'))
})

test('a UserDirectoryError from the engine is 400 with its errcode', async ({ dir }) => {
  const service = await start(dir, { accessTokens: { bad: 'not-a-user-id' } })
  try {
    const { status, body } = await service.search('bad', { search_term: 'a' })
    assert.is(status, 400)
    assert.type(body.errcode, 'string')
    assert.is.not(body.errcode, 'M_UNKNOWN')
  } finally {
    await service.stop()
  }
})

test('any other error is a 500 M_UNKNOWN that does not leak the message', async ({ dir }) => {
  const broken = wrapDirectory(dir, {
    search: async () => {
      throw new Error('secret internals')
    },
  })
  const service = await start(broken, { accessTokens: { ...TOKENS } })
  try {
    const { status, body } = await service.search('alice', { search_term: 'a' })
    assert.is(status, 500)
    assert.equal(body, { errcode: 'M_UNKNOWN', error: 'Internal server error' })
  } finally {
    await service.stop()
  }
})

test('a UserDirectoryError thrown by search keeps its errcode and message', async ({ dir }) => {
  const failing = wrapDirectory(dir, {
    search: async () => {
      throw new UserDirectoryError('M_INVALID_PARAM', 'bad term')
    },
  })
  const service = await start(failing, { accessTokens: { ...TOKENS } })
  try {
    const { status, body } = await service.search('alice', { search_term: 'a' })
    assert.is(status, 400)
    assert.equal(body, { errcode: 'M_INVALID_PARAM', error: 'bad term' })
  } finally {
    await service.stop()
  }
})

test('with enabled: false a search answers 200 with no results', async () => {
  const dir = await seededDirectory({ enabled: false })
  const service = await start(dir, { accessTokens: { ...TOKENS } })
  try {
    const { status, body } = await service.search('alice', { search_term: 'bob' })
    assert.is(status, 200)
    assert.equal(body, { limited: false, results: [] })
  } finally {
    await service.stop()
  }
})

test('GET /health answers 200', async ({ service }) => {
  const { status, body } = await service.request('GET', '/health')
  assert.is(status, 200)
  assert.equal(body, { status: 'ok' })
})

test('GET /metrics exposes search latency, requests by status, directory size and token lookups', async ({ service }) => {
  await service.search('alice', { search_term: 'bo' })
  await service.search(undefined, { search_term: 'bo' })
  const { status, body, headers } = await service.request('GET', '/metrics')
  assert.is(status, 200)
  assert.match(headers.get('content-type') ?? '', /text\/plain/)
  assert.match(body, /userdir_search_duration_seconds_count 1\n/)
  assert.match(body, /userdir_http_requests_total\{route="search",status="200"\} 1\n/)
  assert.match(body, /userdir_http_requests_total\{route="search",status="401"\} 1\n/)
  assert.match(body, /userdir_directory_entries 3\n/)
  assert.match(body, /userdir_token_lookups_total\{result="static"\} 1\n/)
  assert.match(body, /userdir_deltas_ingested_total 0\n/)
})

test.run()
