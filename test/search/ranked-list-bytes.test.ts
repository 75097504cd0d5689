// The ranked-list cache is bounded in bytes with its keys (issue 19 item 4):
// a key is the whole parsed query, up to a few KB, and empty results are
// cached too, so counting list entries alone let 250k unique terms retain
// ~196 MB where the docs said 52.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { RankedListCache, rankedListBytes } from '../../src/search/ranked-lists.js'
import type { RankedList } from '../../src/search/ranked-lists.js'

const test = suite('src/search/ranked-lists.ts bytes')

function list(length: number): RankedList {
  return { ids: new Uint32Array(length), scores: new Float64Array(length), tiers: new Uint8Array(length), sorted: length, version: 0, complete: true }
}

test('a list is counted as its buffers, its key and a fixed overhead', () => {
  const empty = rankedListBytes('k', list(0))
  assert.ok(empty > 100)
  assert.is(rankedListBytes('k', list(10)), empty + 10 * 13)
  assert.is(rankedListBytes('k'.repeat(1001), list(0)), empty + 2_000)
  // A view counts its whole buffer: that is what it keeps alive.
  const big = list(1000)
  const view: RankedList = { ...big, ids: big.ids.subarray(0, 10), scores: big.scores.subarray(0, 10), tiers: big.tiers.subarray(0, 10), sorted: 10 }
  assert.is(rankedListBytes('k', view), rankedListBytes('k', big))
})

test('empty lists under long keys are bounded by bytes, not by their (zero) entries', () => {
  const maxBytes = 1_000_000
  const cache = new RankedListCache(4_000_000, maxBytes)
  let total = 0
  for (let n = 0; n < 10_000; n++) {
    const key = `A${n}-${'x'.repeat(2_000)}`
    cache.set(key, list(0))
    total += rankedListBytes(key, list(0))
  }
  assert.ok(total > 10 * maxBytes)
  assert.ok(cache.bytes <= maxBytes, String(cache.bytes))
  assert.ok(cache.bytes > maxBytes - 5_000, 'filled up to the bound')
  // The most recent keys stay, the oldest went.
  assert.ok(cache.get(`A9999-${'x'.repeat(2_000)}`) !== undefined)
  assert.is(cache.get(`A0-${'x'.repeat(2_000)}`), undefined)
})

test('bytes follow every change: replace, delete, pin, clear', () => {
  const cache = new RankedListCache(4_000_000, 1_000_000)
  cache.set('a', list(100))
  cache.set('b', list(5))
  assert.is(cache.bytes, rankedListBytes('a', list(100)) + rankedListBytes('b', list(5)))
  cache.set('a', list(1))
  assert.is(cache.bytes, rankedListBytes('a', list(1)) + rankedListBytes('b', list(5)))
  cache.delete('b')
  assert.is(cache.bytes, rankedListBytes('a', list(1)))
  cache.pin('a')
  assert.is(cache.bytes, 0)
  cache.set('c', list(3))
  cache.clear()
  assert.is(cache.bytes, 0)
  // A list larger than the whole bound is not kept.
  cache.set('huge', list(100_000))
  assert.is(cache.bytes, 0)
  assert.is(cache.get('huge'), undefined)
})

test.run()
