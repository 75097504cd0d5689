import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { normalizeText } from '../../src/text/normalize.js'
import { buildUserDocument, buildUserDocumentByVectors, formatTsvector, toTsvectorString } from '../../src/text/pg-tsvector.js'

const test = suite('src/text/pg-tsvector.ts')

interface Golden {
  cases: { input: string; tsvector: string }[]
}
const golden = JSON.parse(readFileSync('snapshots/pg-tsvector-cases.json', 'utf8')) as Golden

test('matches every to_tsvector output captured from PostgreSQL 15', () => {
  assert.ok(golden.cases.length >= 4000)
  const mismatches = golden.cases.filter((c) => toTsvectorString(c.input) !== c.tsvector)
  assert.equal(mismatches.slice(0, 3), [])
})

test('splits a hyphenated localpart into the whole and its signed-number part', () => {
  assert.is(toTsvectorString('user-71'), "'-71':2 'user':1")
  assert.is(toTsvectorString('foo-bar'), "'bar':3 'foo':2 'foo-bar':1")
})

test('lowercases ASCII only, as the simple dictionary does in the C locale', () => {
  assert.is(toTsvectorString('ÉCOLE École'), "'École':1,2")
})

test('keeps hosts with ports, e-mails and dotted names whole', () => {
  assert.is(toTsvectorString('host.com:8448 a@b.com alice.smith'), "'a@b.com':2 'alice.smith':3 'host.com:8448':1")
})

test('drops tokens of 2047 UTF-8 bytes or more without using a position', () => {
  assert.is(toTsvectorString(`${'a'.repeat(2047)} b`), "'b':1")
  assert.is(toTsvectorString(`${'é'.repeat(1024)} b`), "'b':1")
  assert.is(toTsvectorString(`${'a'.repeat(2046)}`).length, 2050)
})

test('keeps at most 255 positions per lexeme and caps positions at 16383', () => {
  const many = toTsvectorString('a '.repeat(300))
  assert.is(many.split(',').length, 255)
  const far = toTsvectorString(`${'x '.repeat(16390)}y z`)
  assert.ok(far.endsWith("'y':16383 'z':16383"))
})

test('sorts lexemes in UTF-8 byte order, astral characters after U+FFxx', () => {
  assert.is(toTsvectorString('😀 ｚ z'), "'z':3 'ｚ':2 '😀':1")
})

test('quotes apostrophes and backslashes by doubling them', () => {
  assert.is(formatTsvector(buildUserDocument("o'b", 's', null)), "'b':2A 'o':1A 's':3")
})

test('concatenates localpart (A), server (D) and display name (B), shifting positions', () => {
  const doc = buildUserDocument('user-71', 'example.org:8448', 'Alice USER')
  assert.is(formatTsvector(doc), "'-71':2A 'alice':4B 'example.org:8448':3 'user':1A,5B")
  assert.equal(doc.lexemes, ['-71', 'alice', 'example.org:8448', 'user'])
})

test('treats a null display name like an empty one and normalises names with NFKC', () => {
  assert.is(formatTsvector(buildUserDocument('a', 'b', null)), formatTsvector(buildUserDocument('a', 'b', '')))
  assert.equal(buildUserDocument('a', 'b', 'Ｆｕｌｌ').lexemes, ['a', 'b', 'full'])
})

// buildUserDocument builds documents of fewer than 255 tokens directly
// (token k at position k); the vector-by-vector construction, with every
// limit, must agree. Few distinct words make lexemes repeat within and
// across the three parts, and the long texts cross the 255-token line.
test('the short-document path agrees with the vector-by-vector construction', () => {
  const word = fc.constantFrom('a', 'b', 'Ab', 'x1', 'é', 'bench.example.org', 'user-71', 'a_b', '😀', 'ÉCOLE', 'ﬁ')
  const text = (max: number) => fc.array(word, { maxLength: max }).map((words) => words.join(' '))
  const repeated = fc.tuple(word, fc.integer({ min: 240, max: 300 })).map(([w, n]) => `${w} `.repeat(n).trim())
  fc.assert(
    fc.property(fc.oneof(text(6), repeated), fc.oneof(text(3), repeated), fc.option(fc.oneof(text(8), repeated)), (localpart, serverName, displayName) => {
      const expected = buildUserDocumentByVectors(localpart, serverName, displayName === null ? '' : normalizeText(displayName))
      assert.equal(buildUserDocument(localpart, serverName, displayName), expected)
    }),
    { numRuns: 3000 },
  )
  // Right at the line: 254 tokens take the short path, 255 the general one.
  for (const n of [253, 254, 255, 256]) {
    const name = 'a '.repeat(n - 2).trim()
    assert.equal(buildUserDocument('a', 'a', name), buildUserDocumentByVectors('a', 'a', name), `${n} tokens`)
  }
})

test.run()
