import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { foldSearchQuery, foldText } from '../../src/text/fold-text.js'
import { buildSearchQuery } from '../../src/text/pg-tsquery.js'

const test = suite('src/text/fold-text.ts')

test('drops Latin, Greek and Cyrillic diacritics, composed or decomposed', () => {
  assert.is(foldText('amélie'), 'amelie')
  assert.is(foldText('ame\u0301lie'), 'amelie')
  assert.is(foldText('josé'), 'jose')
  assert.is(foldText('ñandú-über'), 'nandu-uber')
  assert.is(foldText('ά'), 'α')
  assert.is(foldText('й'), 'и')
})

test('folds Turkish dotted and dotless i to i, lowercase or not', () => {
  assert.is(foldText('i\u0307i\u0307'), 'ii')
  assert.is(foldText('İİ'), 'ii')
  assert.is(foldText('ıııı'), 'iiii')
})

test('maps letters that do not decompose: ł ø đ ħ ß æ œ', () => {
  assert.is(foldText('łødźħ'), 'lodzh')
  assert.is(foldText('straße'), 'strasse')
  assert.is(foldText('æœ'), 'aeoe')
  assert.is(foldText('đ'), 'd')
})

test('lowercases non-ASCII capitals that PostgreSQL leaves in localpart lexemes', () => {
  assert.is(foldText('École'), 'ecole')
})

test('leaves ASCII, Hangul and the vowel signs of other scripts alone', () => {
  const ascii = 'alice.smith'
  assert.is(foldText(ascii), ascii)
  assert.is(foldText('한국'), '한국')
  assert.is(foldText('नमस्ते'), 'नमस्ते')
  assert.is(foldText('\u0301'), '\u0301')
})

test('a folded query keeps its phrases and shape; an ASCII query is returned as is', () => {
  const q = buildSearchQuery(['naïve-ünïcode', 'josé'])
  const folded = foldSearchQuery(q)
  assert.equal(folded.phrases, [['naive-unicode', 'naive', 'unicode'], ['jose']])
  assert.equal(folded.operands, ['naive-unicode', 'naive', 'unicode', 'jose'])
  assert.equal([...folded.phraseStart], [...q.phraseStart])
  const ascii = buildSearchQuery(['alex', 'user-71'])
  assert.is(foldSearchQuery(ascii), ascii)
})

test.run()
