import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SearchIndex, Searcher, buildSearchQuery } from '../../src/search/index.js'
import type { MatchOptions } from '../../src/search/index.js'
import { SIGNATURE_WORDS, addSignatureRequirement } from '../../src/search/prefix-signature.js'
import { matchTiers } from '../../src/search/match-tiers.js'
import { matchesQuery } from '../../src/search/rank/index.js'
import { foldSearchQuery } from '../../src/text/index.js'
import type { UserId } from '../../src/ids/index.js'
import { buildUserDocument, parseQueryWords } from '../../src/text/index.js'

const test = suite('src/search/searcher.ts')
const everyone = { accepts: () => true }

function indexOf(options: MatchOptions, names: Record<string, string | null>): SearchIndex {
  const index = new SearchIndex(options)
  for (const [localpart, displayName] of Object.entries(names)) index.upsert({ userId: `@${localpart}:test` as UserId, localpart, serverName: 'test', displayName, avatarUrl: null, isLocal: true })
  return index
}

function search(index: SearchIndex, term: string): { users: string[]; tiers: number[]; total: number } {
  const page = new Searcher().search(index, buildSearchQuery(parseQueryWords(term)), 10, everyone, false)
  return { users: page.ids.map((id) => index.user(id)?.userId ?? ''), tiers: page.ids.map((id) => page.tiers[id]), total: page.total }
}

const names = { a1: 'Amélie', a2: 'Amelie', x1: 'Alex', x2: 'Lexa', x3: 'Álex' }

test("with the options off every match is tier 0 and folded or infix words find nothing", () => {
  const index = indexOf({ accentInsensitive: false, infixMatch: false }, names)
  assert.equal(search(index, 'amelie'), { users: ['@a2:test'], tiers: [0], total: 1 })
  assert.equal(search(index, 'lex'), { users: ['@x2:test'], tiers: [0], total: 1 })
})

test('an accented query finds unaccented names through its folded lookup, one tier down', () => {
  const index = indexOf({ accentInsensitive: true, infixMatch: false }, names)
  assert.equal(search(index, 'amélie'), { users: ['@a1:test', '@a2:test'], tiers: [0, 1], total: 2 })
  assert.equal(search(index, 'amelie'), { users: ['@a2:test', '@a1:test'], tiers: [0, 1], total: 2 })
})

test('a tier outranks any score: a higher-scoring infix match stays below a prefix match', () => {
  const index = indexOf({ accentInsensitive: true, infixMatch: true }, names)
  const query = buildSearchQuery(parseQueryWords('lèx'))
  const page = new Searcher().search(index, query, 10, everyone, false)
  const tiers = page.ids.map((id) => page.tiers[id])
  assert.equal(tiers, [1, 3, 3])
  assert.ok(page.scores[page.ids[1]] > page.scores[page.ids[0]])
})

test('infix matches of each accent form land in their own tier', () => {
  const index = indexOf({ accentInsensitive: true, infixMatch: true }, names)
  assert.equal(search(index, 'lex'), { users: ['@x2:test', '@x1:test', '@x3:test'], tiers: [0, 2, 2], total: 3 })
  assert.equal(search(index, 'mel'), { users: ['@a2:test', '@a1:test'], tiers: [2, 3], total: 2 })
})

test('a long infix beyond the indexed term length is still found and checked exactly', () => {
  const index = indexOf({ accentInsensitive: false, infixMatch: true }, { l1: 'xsupercalifragilistic', l2: 'xsupercalifragile' })
  assert.equal(search(index, 'supercalifragilis').users, ['@l1:test'])
})

test('terms longer than the indexed prefixes find exactly the names they prefix', () => {
  const index = indexOf({ accentInsensitive: false, infixMatch: false }, { n1: 'Alexandra', n2: 'Alexander', n3: 'Alexis', n4: 'Alexandrina Alexandrova' })
  assert.equal(search(index, 'alexand').users.sort(), ['@n1:test', '@n2:test', '@n4:test'])
  assert.equal(search(index, 'alexandr').users.sort(), ['@n1:test', '@n4:test'])
  assert.equal(search(index, 'alexandra').users, ['@n1:test'])
  assert.equal(search(index, 'alexandrov').users, ['@n4:test'])
  assert.equal(search(index, 'alexandrovna').total, 0)
})

test("a user id is found by its localpart even though its server name lists everyone", () => {
  const index = indexOf({ accentInsensitive: false, infixMatch: false }, { bob: 'Bob', bobby: null, alice: 'Alice' })
  assert.equal(search(index, '@bob:test').users, ['@bob:test', '@bobby:test'])
  assert.equal(search(index, '@bob:tes').users, ['@bob:test', '@bobby:test'])
  assert.equal(search(index, '@bob:other').total, 0)
})

test('a two-word query over hundreds of candidates per word (the intersecting build) finds exactly the users with both words', () => {
  // 400 Annas and 400 Smiths, 40 of them both, plus near misses for each word's prefix.
  const names: Record<string, string> = {}
  for (let i = 0; i < 400; i++) names[`a${i}`] = i < 40 ? `Anna Smith ${i}` : `Anna Jones ${i}`
  for (let i = 0; i < 400; i++) names[`s${i}`] = i % 2 === 0 ? `Smith Annabel ${i}` : `Smithers Bo ${i}`
  const index = indexOf({ accentInsensitive: false, infixMatch: false }, names)
  const page = new Searcher().search(index, buildSearchQuery(parseQueryWords('anna smith')), 1000, everyone, false)
  const found = page.ids.map((id) => index.user(id)?.userId ?? '').sort()
  const expected = [...Array.from({ length: 40 }, (_, i) => `@a${i}:test`), ...Array.from({ length: 200 }, (_, i) => `@s${2 * i}:test`)].sort()
  assert.equal(found, expected)
  assert.equal(page.total, 240)
})

test('a query lexeme whose prefix-signature bits include the top bit of a word (negative as an int32) finds its user', () => {
  const need = new Uint32Array(SIGNATURE_WORDS)
  const letters = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const long: string[] = []
  for (const a of letters) for (const b of letters) for (const c of letters) {
    need.fill(0)
    addSignatureRequirement(`alexan${a}${b}${c}`, need)
    if (need.some((bits) => bits >= 2 ** 31)) long.push(`alexan${a}${b}${c}`)
  }
  assert.ok(long.length > 0)
  const names = Object.fromEntries(long.slice(0, 50).map((name, i) => [`u${i}`, name]))
  const index = indexOf({ accentInsensitive: false, infixMatch: false }, names)
  for (const [localpart, name] of Object.entries(names)) assert.ok(search(index, name).users.includes(`@${localpart}:test`), name)
})

test('long query lexemes (the prefix-signature check) find exactly the users a full document check finds, in every tier set-up', () => {
  // Many users share each 6-character key and differ after it, so the
  // prefix signatures decide most candidates; the oracle checks every user's documents.
  const word = fc.tuple(fc.constantFrom('alexan', 'bench.', 'willia'), fc.string({ maxLength: 4, unit: fc.constantFrom('d', 'e', 'é', 'r', '7', '.') })).map(([key, tail]) => key + tail)
  const optionSets: MatchOptions[] = [
    { accentInsensitive: false, infixMatch: false },
    { accentInsensitive: true, infixMatch: false },
    { accentInsensitive: false, infixMatch: true },
    { accentInsensitive: true, infixMatch: true },
  ]
  fc.assert(
    fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 60 }), fc.array(word, { minLength: 1, maxLength: 2 }), fc.nat(3), (people, queryWords, o) => {
      const options = optionSets[o]
      const names: Record<string, string> = {}
      people.forEach((words, i) => (names[`u${i}`] = words.join(' ')))
      const index = indexOf(options, names)
      const query = buildSearchQuery(parseQueryWords(queryWords.join(' ')))
      const page = new Searcher().search(index, query, 1000, everyone, false)
      const found = page.ids.map((id) => index.user(id)?.userId ?? '').sort()
      const tiers = matchTiers(options)
      const tierQueries = tiers.isFolded.map((folded) => (folded ? foldSearchQuery(query) : query))
      const expected = Object.entries(names)
        .filter(([localpart, name]) => tiers.documentsOf(buildUserDocument(localpart, 'test', name)).some((doc, t) => matchesQuery(doc, tierQueries[t])))
        .map(([localpart]) => `@${localpart}:test`)
        .sort()
      assert.equal(found, expected)
    }),
    { numRuns: 300 },
  )
})

test.run()
