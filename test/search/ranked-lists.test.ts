// Cached rankings (src/search/ranked-lists.ts) against a brute-force
// ranking: the index keeps its cached lists across changes (patched from the
// change log, rebuilt past the bound, tails sorted on demand), the oracle
// scores every entry of the index and sorts them all.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { propertyRuns } from '../arbitraries/operations.js'
import { SearchIndex, Searcher, buildSearchQuery } from '../../src/search/index.js'
import type { CandidateFilter, IndexedUser } from '../../src/search/index.js'
import type { UserId } from '../../src/ids/index.js'
import { parseQueryWords } from '../../src/text/index.js'
import { matchesQuery, synapseScore } from '../../src/search/rank/index.js'

const test = suite('src/search/ranked-lists.ts')
const RUNS = Math.max(20, Math.floor(propertyRuns() / 4))

// Few first names and surnames, so one- and two-letter prefixes have
// hundreds of matches and 'u' all 1,500 (lists over 1,024 matches have a
// sorted head, which alone is cached, and a tail sorted when a walk reaches it).
// Names longer than the index's 6-character prefixes ('alexandra',
// 'alexandrova') make the longer terms match through checked prefixes.
const FIRST = ['al', 'alice', 'alina', 'bob', 'bo', 'émile', 'emil', 'ivan', 'иван', 'amy', 'alexandra', 'alexander']
const LAST = ['smith', 'sm', 'adams', 'ali', 'bo', 'müller', 'иванов', 'alexandrova', null]
const POPULATION = 1500
// '@u1:test' is one word of two lexemes, 'u1' and the server name 'test'.
const TERMS = ['u', 'te', 'a', 'al', 'ali', 'b', 'bo', 'e', 'émi', 'и', 'al sm', 'sm', 'u1', 'alice smith', 'zz', 'alexand', 'alexandra', 'alexandrov', '@u1:test', 'u12 test']

interface Change {
  kind: 'upsert' | 'remove'
  user: number
  first: number
  last: number
  avatar: boolean
}

type Step =
  | { kind: 'search'; term: string; limit: number; modulus: number; salt: number; preferLocal: boolean }
  | { kind: 'changes'; changes: Change[] }
  // Pinning ranks a one-lexeme query ahead (as the directory's warm-up does); clear drops the unpinned lists.
  | { kind: 'pin'; lexeme: string; preferLocal: boolean }
  | { kind: 'clear' }
// One-lexeme queries of TERMS (and one no term has) to pin.
const PINNED = ['u', 'te', 'a', 'al', 'ali', 'b', 'bo', 'sm', 'alexand', 'alexandra', 'u1', 'zz', 'x']

// Ties are broken by user id, so the first results are the users sorting
// first ('@u1', '@u10', …) among the best-scored names ('alina adams' with
// an avatar for 'a'): changes favour those users and names, or most would
// never reach a page.
const change: fc.Arbitrary<Change> = fc.record({
  kind: fc.constantFrom('upsert' as const, 'upsert' as const, 'remove' as const),
  user: fc.oneof(fc.nat(30), fc.integer({ min: 100, max: 199 }), fc.nat(POPULATION + 99)),
  first: fc.oneof(fc.nat(2), fc.nat(FIRST.length - 1)),
  last: fc.oneof(fc.integer({ min: 2, max: 3 }), fc.nat(LAST.length - 1)),
  avatar: fc.boolean(),
})

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('search' as const),
    term: fc.constantFrom(...TERMS),
    limit: fc.constantFrom(0, 1, 5, 10, 50),
    // Accept one user in `modulus`: 1 everyone, 400 a handful (deep walks into unsorted tails).
    modulus: fc.constantFrom(1, 2, 7, 60, 400),
    salt: fc.nat(1000),
    preferLocal: fc.boolean(),
  }),
  // Small batches patch cached lists; a large one exceeds the patch bound.
  fc.record({ kind: fc.constant('changes' as const), changes: fc.oneof(fc.array(change, { maxLength: 8 }), fc.array(change, { minLength: 300, maxLength: 400 })) }),
  fc.record({ kind: fc.constant('pin' as const), lexeme: fc.constantFrom(...PINNED), preferLocal: fc.boolean() }),
  fc.record({ kind: fc.constant('clear' as const) }),
)

function userId(n: number): UserId {
  return `@u${n}:${n % 3 === 0 ? 'remote' : 'test'}` as UserId
}

function apply(index: SearchIndex, c: Change): void {
  const id = userId(c.user)
  if (c.kind === 'remove') return index.remove(id)
  const last = LAST[c.last]
  index.upsert({ userId: id, localpart: `u${c.user}`, serverName: id.slice(id.indexOf(':') + 1), displayName: last === null ? FIRST[c.first] : `${FIRST[c.first]} ${last}`, avatarUrl: c.avatar ? 'mxc://a/b' : null, isLocal: id.endsWith(':test') })
}

function filterOf(modulus: number, salt: number): CandidateFilter {
  return { accepts: (_id: number, user: IndexedUser) => (Number(user.userId.slice(2, user.userId.indexOf(':'))) * 31 + salt) % modulus === 0 }
}

type Search = Extract<Step, { kind: 'search' }>
interface Page {
  users: string[]
  scores: number[]
  limited: boolean
}

function run(index: SearchIndex, searcher: Searcher, s: Search): Page {
  const page = searcher.search(index, buildSearchQuery(parseQueryWords(s.term)), s.limit, filterOf(s.modulus, s.salt), s.preferLocal)
  return { users: page.ids.map((id) => index.user(id)?.userId ?? '?'), scores: page.ids.map((id) => page.scores[id]), limited: page.total > s.limit }
}

// Every entry matched and scored, all sorted by SPEC §3's order, then filtered.
function bruteForce(index: SearchIndex, s: Search): Page {
  const query = buildSearchQuery(parseQueryWords(s.term))
  const filter = filterOf(s.modulus, s.salt)
  const matches: { user: IndexedUser; score: number }[] = []
  for (let id = 0; id < index.idLimit; id++) {
    const user = index.user(id)
    if (user === undefined || !matchesQuery(user.document, query) || !filter.accepts(id, user)) continue
    matches.push({ user, score: synapseScore(user.document, query, user.hasDisplayName, user.hasAvatar, s.preferLocal && user.isLocal) })
  }
  matches.sort(
    (a, b) =>
      b.score - a.score ||
      Number(b.user.hasDisplayName) - Number(a.user.hasDisplayName) ||
      Number(b.user.hasAvatar) - Number(a.user.hasAvatar) ||
      (a.user.userId < b.user.userId ? -1 : 1),
  )
  const page = matches.slice(0, s.limit)
  return { users: page.map((m) => m.user.userId), scores: page.map((m) => m.score), limited: matches.length > s.limit }
}

test('searches with cached lists equal a brute-force ranking, across changes', () => {
  const initial: Change[] = []
  for (let n = 0; n < POPULATION; n++) initial.push({ kind: 'upsert', user: n, first: n % FIRST.length, last: (n * 7) % LAST.length, avatar: n % 2 === 0 })
  fc.assert(
    fc.property(fc.array(step, { minLength: 4, maxLength: 30 }), (steps) => {
      const index = new SearchIndex()
      for (const c of initial) apply(index, c)
      const searcher = new Searcher()
      for (const [i, s] of steps.entries()) {
        if (s.kind === 'changes') for (const c of s.changes) apply(index, c)
        else if (s.kind === 'pin') searcher.pin(index, s.lexeme, s.preferLocal)
        else if (s.kind === 'clear') searcher.clearRankings()
        else assert.equal(run(index, searcher, s), bruteForce(index, s), `step ${i}: ${JSON.stringify(s)}`)
      }
      return true
    }),
    // No shrinking: each run builds a 1,500-entry index, and the failing step is named in the message.
    { numRuns: RUNS, endOnFailure: true },
  )
})

test('a walk past a cached head ranks the full list again for that search', () => {
  const index = new SearchIndex()
  for (let n = 0; n < 1500; n++) apply(index, { kind: 'upsert', user: n, first: n % FIRST.length, last: n % LAST.length, avatar: n % 3 === 0 })
  const searcher = new Searcher()
  const first: Search = { kind: 'search', term: 'u', limit: 10, modulus: 1, salt: 0, preferLocal: false }
  assert.equal(run(index, searcher, first), bruteForce(index, first))
  assert.is(searcher.rankings.size, 1024 + 16, 'only the head of the 1,500 matches is cached')
  // One user in 400 visible: the ten best lie beyond the cached head.
  const sparse: Search = { ...first, modulus: 400, salt: 5 }
  assert.equal(run(index, searcher, sparse), bruteForce(index, sparse))
  assert.is(bruteForce(index, sparse).users.length, 4)
})

test('searches walking pinned lists equal a brute-force ranking, before and after changes', () => {
  const index = new SearchIndex()
  for (let n = 0; n < POPULATION; n++) apply(index, { kind: 'upsert', user: n, first: n % FIRST.length, last: (n * 7) % LAST.length, avatar: n % 2 === 0 })
  const searcher = new Searcher()
  const check = (when: string): void => {
    for (const lexeme of PINNED) {
      for (const preferLocal of [false, true]) {
        for (const modulus of [1, 7, 400]) {
          const s: Search = { kind: 'search', term: lexeme, limit: 10, modulus, salt: 3, preferLocal }
          assert.equal(run(index, searcher, s), bruteForce(index, s), `${when}: ${JSON.stringify(s)}`)
        }
      }
    }
  }
  for (const lexeme of PINNED) for (const preferLocal of [false, true]) searcher.pin(index, lexeme, preferLocal)
  check('pinned')
  for (let n = 0; n < 40; n++) apply(index, { kind: 'upsert', user: n * 13, first: n % 3, last: 2, avatar: true })
  searcher.clearRankings()
  check('after changes and clear()')
})

test('pinned lists survive clear() and eviction, are replaced when rebuilt, and go with unpinAll()', () => {
  const index = new SearchIndex()
  for (let n = 0; n < 1200; n++) index.upsert({ userId: userId(n), localpart: `u${n}`, serverName: 'test', displayName: n < 600 ? 'alpha' : 'beta', avatarUrl: null, isLocal: true })
  const searcher = new Searcher({ capacity: 1000 })
  const everyone = { accepts: () => true }
  assert.ok(searcher.pin(index, 'alpha', false), 'ranked')
  assert.not.ok(searcher.pin(index, 'alpha', false), 'current: not ranked again')
  assert.is(searcher.rankings.pinnedSize, 616)
  assert.is(searcher.rankings.size, 0, 'pinned lists do not count against the LRU capacity')
  searcher.search(index, buildSearchQuery(['beta']), 5, everyone, false)
  searcher.search(index, buildSearchQuery(['b']), 5, everyone, false)
  searcher.clearRankings()
  assert.is(searcher.rankings.pinnedSize, 616, 'kept through eviction and clear()')
  const key = 'A' + JSON.stringify([['alpha']])
  const before = searcher.rankings.get(key)
  assert.ok(before !== undefined && before.ids.length === 600)
  // Enough changes that the list cannot be patched: the next search rebuilds it, still pinned.
  for (let n = 0; n < 400; n++) index.upsert({ userId: userId(n), localpart: `u${n}`, serverName: 'test', displayName: 'alpha', avatarUrl: 'mxc://a/b', isLocal: true })
  const page = searcher.search(index, buildSearchQuery(['alpha']), 5, everyone, false)
  assert.is(index.user(page.ids[0])?.avatarUrl, 'mxc://a/b')
  const after = searcher.rankings.get(key)
  assert.ok(after !== undefined && after !== before && after.version === index.version, 'replaced by the rebuilt list')
  assert.ok(searcher.pin(index, 'beta', false))
  assert.is(searcher.rankings.pinnedCount, 2)
  searcher.unpinAll()
  assert.is(searcher.rankings.pinnedSize, 0)
  assert.is(searcher.rankings.get(key), undefined)
})

test('the cache is bounded by its capacity, least recently used out first', () => {
  const index = new SearchIndex()
  // (A list weighs its length plus 16.)
  for (let n = 0; n < 1200; n++) index.upsert({ userId: userId(n), localpart: `u${n}`, serverName: 'test', displayName: n < 600 ? 'alpha' : 'beta', avatarUrl: null, isLocal: true })
  const searcher = new Searcher({ capacity: 1000 })
  const everyone = { accepts: () => true }
  searcher.search(index, buildSearchQuery(['alpha']), 5, everyone, false)
  assert.is(searcher.rankings.size, 616)
  searcher.search(index, buildSearchQuery(['beta']), 5, everyone, false)
  assert.is(searcher.rankings.size, 616, 'alpha evicted for beta')
  searcher.search(index, buildSearchQuery(['u']), 5, everyone, false)
  assert.is(searcher.rankings.size, 616, 'a list over the capacity is not kept')
})

test('the cache holds the rankings of the index last searched: another index starts an empty one, pins included', () => {
  const first = new SearchIndex()
  const second = new SearchIndex()
  for (let n = 0; n < 20; n++) {
    first.upsert({ userId: userId(n), localpart: `u${n}`, serverName: 'test', displayName: 'alpha', avatarUrl: null, isLocal: true })
    second.upsert({ userId: userId(n), localpart: `u${n}`, serverName: 'test', displayName: n < 10 ? 'alpha' : 'beta', avatarUrl: null, isLocal: true })
  }
  const searcher = new Searcher()
  const everyone = { accepts: () => true }
  searcher.pin(first, 'alpha', false)
  searcher.search(first, buildSearchQuery(['u1']), 5, everyone, false)
  assert.is(searcher.rankings.pinnedSize, 20 + 16)
  assert.is(searcher.rankings.size, 11 + 16)
  const page = searcher.search(second, buildSearchQuery(['alpha']), 50, everyone, false)
  assert.is(page.ids.length, 10, 'ranked from the second index, not the first one\'s pinned list')
  assert.is(searcher.rankings.pinnedSize, 0)
  assert.is(searcher.rankings.size, 10 + 16)
})

test.run()
