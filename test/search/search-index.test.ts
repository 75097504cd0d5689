import fc from 'fast-check'
import flexsearch from 'flexsearch'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SearchIndex } from '../../src/search/index.js'
import type { MatchOptions } from '../../src/search/index.js'
import type { UserId } from '../../src/ids/index.js'

const test = suite('src/search/search-index.ts')

type Step = { kind: 'upsert'; user: number; name: string | null } | { kind: 'remove'; user: number }

// Every key the index could file anything under: each prefix (up to 8 characters) of each word used.
function keysOf(names: Iterable<string | null>): string[] {
  const keys = new Set<string>()
  for (const name of names) {
    for (const word of `${name ?? ''} u0 u1 u2 u3 u4 u5 u6 u7 test`.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
      for (let k = 1; k <= Math.min(8, word.length); k++) keys.add(word.slice(0, k))
    }
  }
  return [...keys]
}

// The candidates of each key, as sorted user ids (a freed id listed shows as '(free)', a repeat as itself twice).
function postings(index: SearchIndex, keys: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const key of keys) {
    const users = index.candidates(key).flatMap((list) => list.map((id) => index.user(id)?.userId ?? '(free)'))
    if (users.length > 0) out[key] = users.sort()
  }
  return out
}

test('after any sequence of upserts and removals, every key lists exactly the entries a fresh index lists, once each', () => {
  const word = fc.string({ minLength: 1, maxLength: 9, unit: fc.constantFrom('a', 'l', 'i', 'c', 'e', 'é', '7') })
  const name = fc.option(fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => words.join(' ')), { nil: null })
  const step: fc.Arbitrary<Step> = fc.oneof(
    fc.record({ kind: fc.constant('upsert' as const), user: fc.nat(7), name }),
    fc.record({ kind: fc.constant('remove' as const), user: fc.nat(7) }),
  )
  const optionSets: MatchOptions[] = [
    { accentInsensitive: false, infixMatch: false },
    { accentInsensitive: true, infixMatch: true },
  ]
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), fc.nat(1), (steps, o) => {
      const incremental = new SearchIndex(optionSets[o])
      const current = new Map<number, string | null>()
      const used: (string | null)[] = []
      for (const s of steps) {
        const userId = `@u${s.user}:test` as UserId
        if (s.kind === 'remove') {
          incremental.remove(userId)
          current.delete(s.user)
        } else {
          incremental.upsert({ userId, localpart: `u${s.user}`, serverName: 'test', displayName: s.name, avatarUrl: null, isLocal: true })
          current.set(s.user, s.name)
          used.push(s.name)
        }
      }
      const fresh = new SearchIndex(optionSets[o])
      for (const [user, displayName] of current) fresh.upsert({ userId: `@u${user}:test` as UserId, localpart: `u${user}`, serverName: 'test', displayName, avatarUrl: null, isLocal: true })
      const keys = keysOf(used)
      assert.equal(postings(incremental, keys), postings(fresh, keys))
      assert.is(incremental.size, current.size)
    }),
    { numRuns: 300 },
  )
})

// FlexSearch's own forward index, as the index configures it, fed each entry's terms through `add`.
function flexAddOracle(index: SearchIndex): { keys: string[]; lists: (key: string) => number[] } {
  const { Index } = flexsearch as unknown as { Index: new (options: object) => { add(id: number, text: string): void; search(q: string, o: { resolve: false }): { result: number[][] }; map: Map<string, unknown> } }
  const oracle = new Index({ tokenize: 'forward', resolution: 1, fastupdate: false, encode: (text: string) => text.split(' ') })
  for (let id = 0; id < index.idLimit; id++) {
    const user = index.user(id)
    if (user === undefined) continue
    const terms = new Set((user.tierDocuments ?? [user.document]).flatMap((d) => d.lexemes.map((l) => l.slice(0, 6))))
    oracle.add(id, [...terms].join(' '))
  }
  // candidates() looks a longer prefix up by its first 6 characters, the indexed keys.
  return { keys: [...oracle.map.keys()], lists: (key) => oracle.search(key.slice(0, 6), { resolve: false }).result.flat() }
}

test('an index built by upserts lists under each key exactly the ids, in the order, FlexSearch\'s own add lists', () => {
  const word = fc.string({ minLength: 1, maxLength: 9, unit: fc.constantFrom('a', 'l', 'i', 'c', 'e', 'é', '7', '.') })
  const name = fc.option(fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => words.join(' ')), { nil: null })
  fc.assert(
    fc.property(fc.array(name, { maxLength: 30 }), fc.boolean(), (names, tiers) => {
      const index = new SearchIndex({ accentInsensitive: tiers, infixMatch: tiers })
      names.forEach((displayName, i) => index.upsert({ userId: `@u${i}:test` as UserId, localpart: `u${i}`, serverName: 'test', displayName, avatarUrl: null, isLocal: true }))
      const oracle = flexAddOracle(index)
      for (const key of new Set([...oracle.keys, ...keysOf(names)])) {
        assert.equal(index.candidates(key).flat(), oracle.lists(key), key)
      }
    }),
    { numRuns: 200 },
  )
})

test('a removed entry is found under none of its keys, and its id, reused, under the new entry\'s only', () => {
  const index = new SearchIndex()
  index.upsert({ userId: '@alice:test' as UserId, localpart: 'alice', serverName: 'test', displayName: 'Alice Liddell', avatarUrl: null, isLocal: true })
  index.remove('@alice:test' as UserId)
  assert.equal(postings(index, ['a', 'al', 'alice', 'l', 'lid', 't', 'test']), {})
  index.upsert({ userId: '@bob:test' as UserId, localpart: 'bob', serverName: 'test', displayName: 'Bob', avatarUrl: null, isLocal: true })
  assert.equal(postings(index, ['a', 'al', 'alice', 'l', 'lid', 'b', 'bob', 't', 'test']), { b: ['@bob:test'], bob: ['@bob:test'], t: ['@bob:test'], test: ['@bob:test'] })
})

test.run()
