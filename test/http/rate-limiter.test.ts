import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../../src/index.js'
import { defaultRateLimit } from '../../src/http/index.js'
import { RateLimiter } from '../../src/http/rate-limiter.js'
import { seededDirectory, TOKENS } from './fixtures.js'
import { start } from './harness.js'

const test = suite('src/http/rate-limiter.ts')

test("the default limit is Synapse's: 0.016 per second, burst 200", () => {
  assert.equal({ ...defaultRateLimit }, { perSecond: 0.016, burst: 200 })
})

test('the default limit allows 200 searches at once and refuses the 201st', () => {
  const limiter = new RateLimiter(defaultRateLimit, new FakeClock())
  for (let i = 0; i < 200; i++) assert.is(limiter.take('@a:test'), 0)
  // One more needs one action to drain: 1 / 0.016 s = 62.5 s.
  assert.is(limiter.take('@a:test'), 62_500)
})

test('the level drains at the sustained rate', async () => {
  const clock = new FakeClock()
  const limiter = new RateLimiter({ perSecond: 1, burst: 2 }, clock)
  assert.is(limiter.take('k'), 0)
  assert.is(limiter.take('k'), 0)
  assert.is(limiter.take('k'), 1000)
  await clock.advance(400)
  assert.is(limiter.take('k'), 600)
  await clock.advance(600)
  assert.is(limiter.take('k'), 0)
  assert.is(limiter.take('k'), 1000)
})

test('keys are limited separately', () => {
  const limiter = new RateLimiter({ perSecond: 1, burst: 1 }, new FakeClock())
  assert.is(limiter.take('a'), 0)
  assert.is(limiter.take('b'), 0)
  assert.ok(limiter.take('a') > 0)
})

test('over the limit a search is 429 M_LIMIT_EXCEEDED with retry_after_ms, per user', async () => {
  const dir = await seededDirectory()
  const clock = new FakeClock()
  const service = await start(dir, { accessTokens: { ...TOKENS }, clock, rateLimit: { perSecond: 0.5, burst: 2 } })
  try {
    assert.is((await service.search('alice', { search_term: 'bo' })).status, 200)
    assert.is((await service.search('alice', { search_term: 'bo' })).status, 200)
    const refused = await service.search('alice', { search_term: 'bo' })
    assert.is(refused.status, 429)
    assert.equal(refused.body, { errcode: 'M_LIMIT_EXCEEDED', error: 'Too Many Requests', retry_after_ms: 2000 })
    assert.is((await service.search('bob', { search_term: 'al' })).status, 200)
    await clock.advance(2000)
    assert.is((await service.search('alice', { search_term: 'bo' })).status, 200)
  } finally {
    await service.stop()
  }
})

test('rateLimit: false turns the limit off', async () => {
  const dir = await seededDirectory()
  const service = await start(dir, { accessTokens: { ...TOKENS }, clock: new FakeClock(), rateLimit: false })
  try {
    for (let i = 0; i < 5; i++) assert.is((await service.search('alice', { search_term: 'bo' })).status, 200)
  } finally {
    await service.stop()
  }
})

test.run()
