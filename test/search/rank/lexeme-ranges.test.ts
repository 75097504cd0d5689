import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { resolveOperands } from '../../../src/search/rank/lexeme-ranges.js'
import { scratch } from '../../../src/search/rank/scratch.js'
import { buildSearchQuery } from '../../../src/text/pg-tsquery.js'
import { buildUserDocument } from '../../../src/text/pg-tsvector.js'

const test = suite('src/search/rank/lexeme-ranges.ts')
const doc = buildUserDocument('al', 'x', 'alex alice bob')

test('gives an exact operand the equal lexeme only', () => {
  assert.ok(resolveOperands(doc, buildSearchQuery(['alex']), false))
  assert.equal([scratch.matchLo[0], scratch.matchHi[0]], [1, 2])
})

test('gives a prefix operand the contiguous run of lexemes it prefixes', () => {
  assert.ok(resolveOperands(doc, buildSearchQuery(['al']), true))
  assert.equal(doc.lexemes.slice(scratch.matchLo[0], scratch.matchHi[0]), ['al', 'alex', 'alice'])
})

test('reports an operand that matches nothing', () => {
  assert.not.ok(resolveOperands(doc, buildSearchQuery(['zed']), true))
})

test.run()
