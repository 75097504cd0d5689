import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { MAX_INFIX_OFFSET, foldDocument, infixDocument } from '../../src/text/derived-documents.js'
import { buildUserDocument, formatTsvector } from '../../src/text/pg-tsvector.js'

const test = suite('src/text/derived-documents.ts')

test('a folded document keeps each lexeme position and weight under its folded form', () => {
  const doc = buildUserDocument('jose', 'test', 'José Amélie')
  assert.is(formatTsvector(doc), "'amélie':4B 'jose':1A 'josé':3B 'test':2")
  // 'jose' and 'josé' merge into one lexeme, as if the name had no accents.
  assert.is(formatTsvector(foldDocument(doc)), "'amelie':4B 'jose':1A,3B 'test':2")
})

test('a document with nothing to fold is returned as is (no memory for ASCII names)', () => {
  const doc = buildUserDocument('alice', 'example.org', 'Alice Smith')
  assert.is(foldDocument(doc), doc)
})

test('an infix document adds every suffix at its lexeme positions', () => {
  const doc = buildUserDocument('alex', 'test', null)
  assert.is(formatTsvector(infixDocument(doc)), "'alex':1A 'est':2 'ex':1A 'lex':1A 'st':2 't':2 'test':2 'x':1A")
})

test('a suffix equal to another lexeme shares its positions', () => {
  const doc = buildUserDocument('lex', 'test', 'Alex')
  assert.is(formatTsvector(infixDocument(doc)), "'alex':3B 'est':2 'ex':1A,3B 'lex':1A,3B 'st':2 't':2 'test':2 'x':1A,3B")
})

test(`suffixes start within ${MAX_INFIX_OFFSET} code units and never inside a surrogate pair`, () => {
  const long = 'a'.repeat(40) + 'zz'
  const lexemes = infixDocument(buildUserDocument(long, 'test', null)).lexemes
  assert.ok(lexemes.includes(long.slice(MAX_INFIX_OFFSET)))
  assert.not.ok(lexemes.includes(long.slice(MAX_INFIX_OFFSET + 1)))
  const emoji = infixDocument(buildUserDocument('x', 'test', 'a😀b')).lexemes
  for (const lexeme of emoji) assert.not.match(lexeme, /^[\udc00-\udfff]/)
})

test.run()
