import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseText, parseTextByParser } from '../../src/text/pg-parsetext.js'

const test = suite('src/text/pg-parsetext.ts')

test('keeps only token types the simple configuration maps', () => {
  assert.equal(parseText('http://x.org <b>&amp; hi'), ['x.org', 'hi'])
})

test('lowercases A-Z and nothing else', () => {
  assert.equal(parseText('ABC Ünï'), ['abc', 'Ünï'])
})

test('drops tokens of 2047 bytes or more', () => {
  assert.equal(parseText(`${'a'.repeat(2047)} ${'a'.repeat(2046)}`), ['a'.repeat(2046)])
})

// The parser reuses its input buffers and look-ahead stacks across calls:
// no result may depend on what was parsed before.
test('a text parses the same whatever was parsed before it', () => {
  const text = fc.string({ unit: fc.constantFrom('a', 'B', '1', '.', '-', '_', '@', ':', '/', '<', '>', '!', '&', ';', ' ', 'é', '😀', 'x'), maxLength: 40 })
  fc.assert(
    fc.property(text, text, (a, b) => {
      const before = parseText(a)
      parseText(b + b + b)
      assert.equal(parseText(a), before)
      parseText('')
      assert.equal(parseText(a), before)
    }),
    { numRuns: 2000 },
  )
})

// parseText skips the parser for words of ASCII letters and digits one
// space apart; the parser must agree on every such text, and on the texts
// just outside that shape (leading digits, other separators, double spaces).
test('the plain-words shortcut gives what the parser gives', () => {
  const unit = fc.constantFrom('a', 'Z', 'q', 'e', 'E', '0', '7', ' ', ' ', '_', '.', '-', '\t', 'é')
  const word = fc.string({ unit: fc.constantFrom('a', 'Z', 'q', 'e', 'E', 'x', '0', '7', '1'), minLength: 1, maxLength: 12 })
  const plain = fc.array(word, { minLength: 1, maxLength: 8 }).map((words) => words.join(' '))
  fc.assert(
    fc.property(fc.oneof(plain, fc.string({ unit, maxLength: 30 })), (text) => {
      assert.equal(parseText(text), parseTextByParser(text))
    }),
    { numRuns: 20_000 },
  )
  for (const text of ['Alice Smith', 'bob3365', 'a1e5 e5 1e5', 'X', 'ab  cd', ' ab', 'ab ', 'e1', 'E1x2']) assert.equal(parseText(text), parseTextByParser(text), text)
  assert.equal(parseText(`${'a'.repeat(2046)}`), [`${'a'.repeat(2046)}`])
})

test.run()
