import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseText } from '../../src/text/pg-parsetext.js'

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

test.run()
