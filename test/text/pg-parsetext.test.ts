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

test.run()
