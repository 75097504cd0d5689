import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../../src/index.js'
import type { UserDirectory } from '../../src/index.js'
import { FakeHomeserver, unreachableUrl } from './fake-homeserver.js'
import { seededDirectory } from './fixtures.js'
import { start } from './harness.js'
import type { Running } from './harness.js'

const test = suite<{ hs: FakeHomeserver; dir: UserDirectory; clock: FakeClock; service: Running }>('src/http/token-resolver.ts')

test.before.each(async (ctx) => {
  ctx.hs = await FakeHomeserver.start()
  ctx.hs.tokens.set('alice-token', { userId: '@alice:test' })
  ctx.dir = await seededDirectory()
  ctx.clock = new FakeClock()
  ctx.service = await start(ctx.dir, { homeserverUrl: ctx.hs.url, clock: ctx.clock, accessTokens: { 'static-bob': '@bob:test' } })
})
test.after.each(async (ctx) => {
  await ctx.service.stop()
  await ctx.hs.close()
  await ctx.dir.close()
})

test('a token is resolved through the homeserver whoami and searches as that user', async ({ hs, service }) => {
  const { status, body } = await service.search('alice-token', { search_term: 'bob' })
  assert.is(status, 200)
  assert.is(body.results[0].user_id, '@bob:test')
  assert.is(hs.whoamiCalls, 1)
})

test('a second request with the same token does not call whoami again', async ({ hs, service }) => {
  await service.search('alice-token', { search_term: 'bob' })
  await service.search('alice-token', { search_term: 'car' })
  assert.is(hs.whoamiCalls, 1)
  const metrics = (await service.request('GET', '/metrics')).body as string
  assert.match(metrics, /userdir_token_lookups_total\{result="hit"\} 1\n/)
  assert.match(metrics, /userdir_token_lookups_total\{result="miss"\} 1\n/)
})

test('concurrent requests with a new token share one whoami call', async ({ hs, service }) => {
  const answers = await Promise.all([1, 2, 3].map(() => service.search('alice-token', { search_term: 'bob' })))
  assert.equal(answers.map((a) => a.status), [200, 200, 200])
  assert.is(hs.whoamiCalls, 1)
})

test('a valid token is checked again after two minutes', async ({ hs, clock, service }) => {
  await service.search('alice-token', { search_term: 'bob' })
  await clock.advance(119_000)
  await service.search('alice-token', { search_term: 'bob' })
  assert.is(hs.whoamiCalls, 1)
  await clock.advance(1_000)
  await service.search('alice-token', { search_term: 'bob' })
  assert.is(hs.whoamiCalls, 2)
})

test('an invalid token is 401 M_UNKNOWN_TOKEN, remembered briefly, then asked again', async ({ hs, clock, service }) => {
  const first = await service.search('wrong', { search_term: 'bob' })
  assert.is(first.status, 401)
  assert.is(first.body.errcode, 'M_UNKNOWN_TOKEN')
  await service.search('wrong', { search_term: 'bob' })
  assert.is(hs.whoamiCalls, 1)
  await clock.advance(10_000)
  hs.tokens.set('wrong', { userId: '@carol:test' })
  const later = await service.search('wrong', { search_term: 'bob' })
  assert.is(later.status, 200)
  assert.is(hs.whoamiCalls, 2)
})

test('the static token map is checked first and never calls whoami', async ({ hs, service }) => {
  const { status } = await service.search('static-bob', { search_term: 'ali' })
  assert.is(status, 200)
  assert.is(hs.whoamiCalls, 0)
})

test('the cache holds at most tokenCacheSize tokens, dropping the oldest', async ({ hs, dir }) => {
  const service = await start(dir, { homeserverUrl: hs.url, clock: new FakeClock(), tokenCacheSize: 2 })
  try {
    for (const name of ['a', 'b', 'c']) hs.tokens.set(name, { userId: '@alice:test' })
    for (const name of ['a', 'b', 'c']) await service.search(name, { search_term: 'bob' })
    assert.is(hs.whoamiCalls, 3)
    await service.search('c', { search_term: 'bob' })
    assert.is(hs.whoamiCalls, 3)
    await service.search('a', { search_term: 'bob' })
    assert.is(hs.whoamiCalls, 4)
  } finally {
    await service.stop()
  }
})

test('a guest token is 403 M_GUEST_ACCESS_FORBIDDEN', async ({ hs, service }) => {
  hs.tokens.set('guest', { userId: '@guest1:test', isGuest: true })
  const { status, body } = await service.search('guest', { search_term: 'bob' })
  assert.is(status, 403)
  assert.is(body.errcode, 'M_GUEST_ACCESS_FORBIDDEN')
})

test('a homeserver answering 5xx to whoami is a 502 Matrix error, not an empty 200, and is not cached', async ({ hs, service }) => {
  hs.failWith = 500
  const { status, body } = await service.search('alice-token', { search_term: 'bob' })
  assert.is(status, 502)
  assert.is(body.errcode, 'M_UNKNOWN')
  hs.failWith = null
  assert.is((await service.search('alice-token', { search_term: 'bob' })).status, 200)
})

test('an unreachable homeserver is a 502 Matrix error', async ({ dir }) => {
  const service = await start(dir, { homeserverUrl: await unreachableUrl(), clock: new FakeClock() })
  try {
    const { status, body } = await service.search('alice-token', { search_term: 'bob' })
    assert.is(status, 502)
    assert.is(body.errcode, 'M_UNKNOWN')
    assert.match(body.error, /homeserver/)
  } finally {
    await service.stop()
  }
})

test.run()
