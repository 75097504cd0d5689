// Token checks under floods (issue 19 item 10): invalid tokens cannot evict
// valid ones, a hit refreshes an entry (LRU), the cache is bounded in bytes
// with its keys, and whoami requests are capped, the overflow answered 429
// M_LIMIT_EXCEEDED at once (never 401, which logs a Matrix client out).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock } from '../../src/index.js'
import { TokenCache, tokenEntryBytes } from '../../src/http/token-cache.js'
import { FakeHomeserver } from './fake-homeserver.js'
import { seededDirectory } from './fixtures.js'
import { start } from './harness.js'

const test = suite('src/http/token-cache.ts and the whoami cap')

const options = { validTtlMs: 120_000, invalidTtlMs: 10_000 }

test('a flood of invalid tokens does not evict a valid one', () => {
  const cache = new TokenCache(new FakeClock(), { ...options, maxEntries: 100 })
  cache.set('good', '@alice:test')
  for (let i = 0; i < 10_000; i++) cache.set(`bad-${i}`, null)
  assert.is(cache.get('good'), '@alice:test')
  assert.is(cache.get('bad-9999'), null)
  assert.is(cache.get('bad-0'), undefined)
  assert.is(cache.size, 101)
})

test('a hit refreshes an entry: the least recently used goes first', () => {
  const cache = new TokenCache(new FakeClock(), { ...options, maxEntries: 3 })
  cache.set('a', '@a:test')
  cache.set('b', '@b:test')
  cache.set('c', '@c:test')
  assert.is(cache.get('a'), '@a:test')
  cache.set('d', '@d:test')
  assert.is(cache.get('b'), undefined)
  assert.is(cache.get('a'), '@a:test')
  assert.is(cache.get('c'), '@c:test')
  assert.is(cache.get('d'), '@d:test')
})

test('each pool is bounded in bytes, tokens and user ids counted', () => {
  const maxBytes = 64 * 1024
  const cache = new TokenCache(new FakeClock(), { ...options, maxEntries: 1_000_000, maxBytes })
  let expected = 0
  cache.set('good', '@alice:test')
  expected += tokenEntryBytes('good', '@alice:test')
  assert.is(cache.bytes, expected)
  // 8 KiB tokens: only a few fit, whatever the entry count allows.
  for (let i = 0; i < 1_000; i++) cache.set(`${i}-${'x'.repeat(8 * 1024)}`, null)
  assert.ok(cache.bytes <= 2 * maxBytes)
  assert.ok(cache.size < 10, String(cache.size))
  assert.is(cache.get('good'), '@alice:test')
  // A token larger than a whole pool is not cached at all.
  cache.set('y'.repeat(maxBytes), '@bob:test')
  assert.is(cache.get('y'.repeat(maxBytes)), undefined)
  assert.is(cache.get('good'), '@alice:test')
})

test('30 new tokens at once: at most whoamiConcurrency whoami calls in flight, the overflow 429 with retry_after_ms', async () => {
  const hs = await FakeHomeserver.start()
  hs.tokens.set('alice-token', { userId: '@alice:test' })
  hs.whoamiDelayMs = 100
  const dir = await seededDirectory()
  const service = await start(dir, { homeserverUrl: hs.url, whoamiConcurrency: 4, whoamiQueueSize: 8, rateLimit: false })
  try {
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => service.search(`bad-${i}`, { search_term: 'bob' })))
    assert.ok(hs.whoamiMaxInFlight <= 4, `${hs.whoamiMaxInFlight} whoami calls at once`)
    const statuses = answers.map((a) => a.status)
    assert.is(statuses.filter((s) => s === 401).length, hs.whoamiCalls)
    const limited = answers.filter((a) => a.status === 429)
    // 4 in flight and 8 waiting at most when the burst lands; the rest
    // (requests arriving after slots free up may still be checked) is 429.
    assert.ok(limited.length > 0)
    assert.is(limited.length, 30 - hs.whoamiCalls)
    assert.ok(limited.every((a) => a.body.errcode === 'M_LIMIT_EXCEEDED' && a.body.retry_after_ms > 0))
    // Once the flood has passed, a valid token is checked and searches.
    assert.is((await service.search('alice-token', { search_term: 'bob' })).status, 200)
  } finally {
    await service.stop()
    await hs.close()
    await dir.close()
  }
})

test.run()
