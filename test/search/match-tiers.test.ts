import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { matchTiers } from '../../src/search/match-tiers.js'
import { buildUserDocument } from '../../src/text/index.js'

const test = suite('src/search/match-tiers.ts')

test("with both options off there is one tier: Synapse's document", () => {
  const tiers = matchTiers({ accentInsensitive: false, infixMatch: false })
  const doc = buildUserDocument('amélie', 'test', null)
  assert.equal(tiers.isFolded, [false])
  assert.equal(tiers.documentsOf(doc), [doc])
})

test('tiers rank prefix, folded prefix, infix, folded infix', () => {
  const tiers = matchTiers({ accentInsensitive: true, infixMatch: true })
  assert.equal(tiers.isFolded, [false, true, false, true])
  const [exact, folded, infix, foldedInfix] = tiers.documentsOf(buildUserDocument('x', 'test', 'Álex'))
  assert.ok(exact.lexemes.includes('álex'))
  assert.ok(folded.lexemes.includes('alex'))
  assert.ok(infix.lexemes.includes('lex'))
  assert.ok(foldedInfix.lexemes.includes('alex') && foldedInfix.lexemes.includes('lex'))
})

test('an ASCII name shares one object between its exact and folded tiers', () => {
  const docs = matchTiers({ accentInsensitive: true, infixMatch: true }).documentsOf(buildUserDocument('alex', 'test', null))
  assert.is(docs[1], docs[0])
  assert.is(docs[3], docs[2])
})

test('each option alone adds one tier', () => {
  assert.equal(matchTiers({ accentInsensitive: true, infixMatch: false }).isFolded, [false, true])
  assert.equal(matchTiers({ accentInsensitive: false, infixMatch: true }).isFolded, [false, false])
})

test.run()
