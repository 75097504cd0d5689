import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { tsRankCd } from '../../../src/search/rank/index.js'
import { buildSearchQuery } from '../../../src/text/pg-tsquery.js'
import { buildUserDocument } from '../../../src/text/pg-tsvector.js'
import { loadRankCases } from './rank-golden.js'

const test = suite('src/search/rank/ts-rank-cd.ts')

test('equals PostgreSQL ts_rank_cd bit for bit on every captured case, exact and prefix', () => {
  const cases = loadRankCases()
  const wrong = cases.filter((c) => tsRankCd(c.doc, c.q, false) !== c.exact || tsRankCd(c.doc, c.q, true) !== c.prefix)
  assert.equal(wrong.slice(0, 3).map((c) => [c.localpart, c.displayName, c.words]), [])
  assert.ok(cases.some((c) => c.exact > 0) && cases.some((c) => c.prefix > c.exact))
})

test('weights the localpart (A, 1.0) above the display name (B, 0.9) and divides by unique lexemes', () => {
  const q = buildSearchQuery(['bob'])
  const inLocalpart = tsRankCd(buildUserDocument('bob', 'x', null), q, false)
  const inName = tsRankCd(buildUserDocument('alice', 'x', 'Bob'), q, false)
  assert.is(inLocalpart, Math.fround(1 / (1 / Math.fround(1.0)) / 2))
  assert.is(inName, Math.fround(1 / (1 / Math.fround(0.9)) / 3))
})

test('returns a float4 value', () => {
  const r = tsRankCd(buildUserDocument('a', 'b', 'a c a'), buildSearchQuery(['a']), true)
  assert.is(r, Math.fround(r))
  assert.ok(r > 0)
})

test('is 0 when nothing matches or the query is empty', () => {
  const doc = buildUserDocument('alice', 'x', null)
  assert.is(tsRankCd(doc, buildSearchQuery(['bob']), true), 0)
  assert.is(tsRankCd(doc, buildSearchQuery([]), true), 0)
})

test.run()
