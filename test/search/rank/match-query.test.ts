import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { matchesQuery } from '../../../src/search/rank/index.js'
import { buildSearchQuery } from '../../../src/text/pg-tsquery.js'
import { buildUserDocument } from '../../../src/text/pg-tsvector.js'
import { loadRankCases } from './rank-golden.js'

const test = suite('src/search/rank/match-query.ts')
const doc = (localpart: string, name: string | null = null) => buildUserDocument(localpart, 'example.org', name)
const q = (...words: string[]) => buildSearchQuery(words)

test('agrees with PostgreSQL @@ on every captured case', () => {
  const cases = loadRankCases()
  assert.ok(cases.length >= 3000)
  assert.equal(cases.filter((c) => matchesQuery(c.doc, c.q) !== c.matches).slice(0, 3), [])
})

test('matches phrases only at consecutive positions', () => {
  assert.ok(matchesQuery(doc('user-71'), q('user-71')))
  assert.ok(matchesQuery(doc('user-71'), q('user-7')))
  assert.not.ok(matchesQuery(doc('user-71'), q('71')))
  assert.not.ok(matchesQuery(doc('x', 'user bob -71'), q('user-71')))
})

test('matches every word as a prefix, and all words are required', () => {
  assert.ok(matchesQuery(doc('alice.smith', 'Alice Smith'), q('ali', 'smi')))
  assert.not.ok(matchesQuery(doc('alice.smith', 'Alice Smith'), q('ali', 'bob')))
  assert.ok(matchesQuery(doc('alice.smith'), q('alice.smi')))
})

test('matches nothing for an empty query', () => {
  assert.not.ok(matchesQuery(doc('alice'), q()))
  assert.not.ok(matchesQuery(doc('alice'), q('!!')))
})

test.run()
