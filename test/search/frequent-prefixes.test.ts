import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SearchIndex } from '../../src/search/index.js'
import { FrequentPrefixes } from '../../src/search/frequent-prefixes.js'
import type { UserId } from '../../src/ids/index.js'

const test = suite('src/search/frequent-prefixes.ts')

// 30 Marias, 8 Martas, 12 Alexandras; localparts u0..u49 on 'ex.org'.
function index(): SearchIndex {
  const index = new SearchIndex()
  const names = [...Array(30).fill('Maria'), ...Array(8).fill('Marta'), ...Array(12).fill('Alexandra')]
  names.forEach((name, n) => index.upsert({ userId: `@u${n}:ex.org` as UserId, localpart: `u${n}`, serverName: 'ex.org', displayName: name, avatarUrl: null, isLocal: true }))
  return index
}

function run(index: SearchIndex, minMatches: number, budget: number): string[] {
  const count = new FrequentPrefixes(index, minMatches)
  let steps = 0
  while (!count.step(budget)) steps++
  assert.ok(budget > 1000 || steps > 10, 'a small budget needs many steps')
  return count.prefixes()
}

test('prefixes matched by minMatches or more entries, most frequent first, long prefixes of shared lexemes included', () => {
  const lexemes = run(index(), 12, 1e9)
  // 'ex.org' and its prefixes: 50 entries; 'u': 50; 'ma'…: 38; 'maria': 30; 'alexandra' (longer than 6): 12.
  assert.equal(lexemes.slice(0, 7), ['e', 'ex', 'ex.', 'ex.o', 'ex.or', 'ex.org', 'u'])
  for (const p of ['ex.org', 'm', 'mar', 'maria', 'alexan', 'alexand', 'alexandra']) assert.ok(lexemes.includes(p), p)
  for (const p of ['mart', 'marta', 'u1', 'u10']) assert.not.ok(lexemes.includes(p), p)
  assert.ok(lexemes.indexOf('mar') < lexemes.indexOf('maria'))
})

test('the count is resumable: one entry or lexeme per step gives the same answer', () => {
  assert.equal(run(index(), 8, 1), run(index(), 8, 1e9))
})

test.run()
