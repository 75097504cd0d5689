import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { comparePgText, lowerBoundPgText } from '../../src/text/pg-text-order.js'

const test = suite('src/text/pg-text-order.ts')

test('orders strings by UTF-8 bytes, shorter first on a common prefix', () => {
  const sorted = ['😀', 'ｚ', 'b', 'ab', 'a', 'é'].sort(comparePgText)
  assert.equal(sorted, ['a', 'ab', 'b', 'é', 'ｚ', '😀'])
})

test('finds the first lexeme not below a key', () => {
  const lexemes = ['a', 'ab', 'b', 'ｚ', '😀']
  assert.is(lowerBoundPgText(lexemes, 'aa'), 1)
  assert.is(lowerBoundPgText(lexemes, 'b'), 2)
  assert.is(lowerBoundPgText(lexemes, '😁'), 5)
})

test.run()
