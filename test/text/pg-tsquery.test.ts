import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { buildSearchQuery, formatTsquery } from '../../src/text/pg-tsquery.js'

const test = suite('src/text/pg-tsquery.ts')

interface Golden {
  cases: { words: string[]; both: string; exact: string; prefix: string }[]
}
const golden = JSON.parse(readFileSync('snapshots/pg-tsquery-cases.json', 'utf8')) as Golden

test('matches every to_tsquery output captured from PostgreSQL 15 for Synapse-quoted words', () => {
  assert.ok(golden.cases.length >= 2000)
  const mismatches = golden.cases.filter((c) => {
    const q = buildSearchQuery(c.words)
    return formatTsquery(q, 'both') !== c.both || formatTsquery(q, 'exact') !== c.exact || formatTsquery(q, 'prefix') !== c.prefix
  })
  assert.equal(mismatches.slice(0, 3), [])
})

test('turns a word the parser splits into a phrase of its lexemes', () => {
  assert.equal(buildSearchQuery(['user-71', 'foo-bar', "o'brien", 'alice.smi']).phrases, [
    ['user', '-71'],
    ['foo-bar', 'foo', 'bar'],
    ['o', 'brien'],
    ['alice.smi'],
  ])
})

test('drops words without lexemes and keeps the rest in order', () => {
  const q = buildSearchQuery(['!!', 'bob', '?!'])
  assert.equal(q.phrases, [['bob']])
  assert.is(formatTsquery(q, 'both'), "'bob':* | 'bob'")
  assert.equal(buildSearchQuery(['??']).phrases, [])
  assert.is(formatTsquery(buildSearchQuery([]), 'exact'), '')
})

test('flattens phrases into operands with phrase boundaries', () => {
  const q = buildSearchQuery(['user-71', 'bob'])
  assert.equal(q.operands, ['user', '-71', 'bob'])
  assert.equal([...q.phraseStart], [0, 2, 3])
})

test('drops over-long parts of a word as to_tsquery does', () => {
  assert.equal(buildSearchQuery([`${'a'.repeat(3000)}-b`]).phrases, [['b']])
})

test('parses a crafted very long word with bounded work', () => {
  const q = buildSearchQuery(['<!--'.repeat(25000), '~/'.repeat(50000), 'a1@'.repeat(30000)])
  assert.ok(Array.isArray(q.phrases))
})

test.run()
