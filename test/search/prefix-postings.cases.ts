// The contract of src/search/prefix-postings.ts, run against each
// implementation by prefix-postings.test.ts (FlexSearch's and the
// brute-force twin): which ids a prefix lists after any adds and removals.
import fc from 'fast-check'
import type { Test } from 'uvu'
import * as assert from 'uvu/assert'
import { propertyRuns } from '../arbitraries/operations.js'
import type { PrefixPostings } from '../../src/search/prefix-postings.js'
import type { UserDocument } from '../../src/text/index.js'

// A document holding just these lexemes (the postings read nothing else).
function doc(...lexemes: string[]): UserDocument {
  return { lexemes: [...lexemes].sort(), positionStart: [], positions: [] }
}

// Every id listed for `prefix`, sorted, repeats kept (a repeat is a defect).
function listed(postings: PrefixPostings, prefix: string): number[] {
  return postings.candidates(prefix).flat().sort((a, b) => a - b)
}

export function prefixPostingsCases(test: Test<object>, name: string, make: () => PrefixPostings): void {
  test(`${name}: a prefix lists every id with a lexeme starting with it, once, and no other`, () => {
    const postings = make()
    postings.add(0, [doc('alice', 'liddell', 'test')])
    postings.add(1, [doc('alan', 'test')])
    postings.add(2, [doc('bob', 'test')])
    assert.equal(listed(postings, 'a'), [0, 1])
    assert.equal(listed(postings, 'al'), [0, 1])
    assert.equal(listed(postings, 'ali'), [0])
    assert.equal(listed(postings, 'alice'), [0])
    assert.equal(listed(postings, 't'), [0, 1, 2])
    assert.equal(listed(postings, 'l'), [0])
    assert.equal(listed(postings, 'z'), [])
    assert.equal(listed(postings, 'alices'), [])
  })

  test(`${name}: an id with two lexemes sharing a prefix is listed once under it`, () => {
    const postings = make()
    postings.add(7, [doc('anna', 'anne'), doc('annabel')])
    assert.equal(listed(postings, 'ann'), [7])
    assert.equal(listed(postings, 'anna'), [7])
    assert.equal(listed(postings, 'annab'), [7])
  })

  test(`${name}: a prefix longer than the indexed keys is looked up by its first 6 characters`, () => {
    const postings = make()
    postings.add(0, [doc('alexander')])
    postings.add(1, [doc('alexandra')])
    postings.add(2, [doc('alexa')])
    assert.equal(listed(postings, 'alexander'), [0, 1], 'a superset: both share "alexan"')
    assert.equal(listed(postings, 'alexandrova'), [0, 1])
    assert.equal(listed(postings, 'alexa'), [0, 1, 2])
  })

  test(`${name}: a removed id is listed under none of its keys, the others stay, and its id can be added again`, () => {
    const postings = make()
    postings.add(0, [doc('alice', 'test')])
    postings.add(1, [doc('alan', 'test')])
    postings.remove(0, [doc('alice', 'test')])
    assert.equal(listed(postings, 'ali'), [])
    assert.equal(listed(postings, 'al'), [1])
    assert.equal(listed(postings, 'test'), [1])
    postings.add(0, [doc('bob')])
    assert.equal(listed(postings, 'b'), [0])
    assert.equal(listed(postings, 'a'), [1])
    assert.equal(listed(postings, 't'), [1])
  })

  test(`${name}: after any sequence of adds and removals, every prefix lists what a scan of the current lexemes finds`, () => {
    const lexeme = fc.string({ minLength: 1, maxLength: 9, unit: fc.constantFrom('a', 'l', 'i', 'é', '7') })
    const documents = fc.array(fc.array(lexeme, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 2 })
    const step = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), id: fc.nat(5), documents }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.nat(5) }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), fc.array(lexeme, { minLength: 1, maxLength: 6 }), (steps, prefixes) => {
        const postings = make()
        const model = new Map<number, string[][]>()
        for (const s of steps) {
          const before = model.get(s.id)
          if (before !== undefined) {
            postings.remove(s.id, before.map((lexemes) => doc(...new Set(lexemes))))
            model.delete(s.id)
          }
          if (s.kind === 'add') {
            postings.add(s.id, s.documents.map((lexemes) => doc(...new Set(lexemes))))
            model.set(s.id, s.documents)
          }
        }
        for (const prefix of prefixes) {
          const key = prefix.slice(0, 6)
          const expected = [...model].filter(([, lists]) => lists.flat().some((l) => l.startsWith(key))).map(([id]) => id)
          assert.equal(listed(postings, prefix), expected.sort((a, b) => a - b), prefix)
        }
      }),
      { numRuns: propertyRuns(200) },
    )
  })
}
