import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { synapseScore, tsRankCd } from '../../../src/search/rank/index.js'
import { buildSearchQuery } from '../../../src/text/pg-tsquery.js'
import { buildUserDocument } from '../../../src/text/pg-tsvector.js'

const test = suite('src/search/rank/synapse-score.ts')
const doc = buildUserDocument('alice.smith', 'example.org', 'Alice Smith')
const q = buildSearchQuery(['ali'])

test('multiplies the float8 sum 3·exact + prefix by the exact numeric profile factor', () => {
  const sum = 3 * tsRankCd(doc, q, false) + tsRankCd(doc, q, true)
  assert.is(synapseScore(doc, q, false, false, false), 4.0 * sum)
  assert.is(synapseScore(doc, q, true, false, false), 4.8 * sum)
  assert.is(synapseScore(doc, q, false, true, false), 4.8 * sum)
  assert.is(synapseScore(doc, q, true, true, false), 5.76 * sum)
})

test('doubles the score of boosted local users', () => {
  assert.is(synapseScore(doc, q, true, true, true), 2 * synapseScore(doc, q, true, true, false))
})

test('ranks an exact word above a mere prefix', () => {
  const exact = synapseScore(buildUserDocument('bob', 'x', null), buildSearchQuery(['bob']), false, false, false)
  const prefix = synapseScore(buildUserDocument('bobby', 'x', null), buildSearchQuery(['bob']), false, false, false)
  assert.ok(exact > prefix)
})

test.run()
