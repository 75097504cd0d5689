import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { searchAnswerBytes } from '../../src/http/search-answer.js'
import type { AnswerUser } from '../../src/http/search-answer.js'

const test = suite('src/http/search-answer.ts')

function viaStringify(limited: boolean, results: readonly AnswerUser[]): Buffer {
  return Buffer.from(JSON.stringify({ limited, results: results.map((u) => ({ user_id: u.user_id, display_name: u.display_name, avatar_url: u.avatar_url })) }))
}

// Every UTF-16 code unit, lone surrogates included, and the characters JSON escapes.
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'é', '李', '\ud83d', '\ude00', '😀', 'a'), maxLength: 12 }),
)
const user = fc.record({ user_id: anyText, display_name: fc.option(anyText, { nil: null }), avatar_url: fc.option(anyText, { nil: null }) })

test('is byte for byte what JSON.stringify gives, for any strings', () => {
  fc.assert(
    fc.property(fc.boolean(), fc.array(user, { maxLength: 60 }), (limited, results) => {
      assert.equal(searchAnswerBytes(limited, results), viaStringify(limited, results))
    }),
    { numRuns: 500 },
  )
})

test('long answers grow the scratch buffer and stay exact; answers do not share bytes', () => {
  const big: AnswerUser[] = Array.from({ length: 50 }, (_, i) => ({ user_id: `@u${i}:example.org`, display_name: '李'.repeat(2000), avatar_url: `mxc://example.org/${'x'.repeat(500)}` }))
  const first = searchAnswerBytes(true, big)
  assert.equal(first, viaStringify(true, big))
  const copy = Buffer.from(first)
  searchAnswerBytes(false, [{ user_id: '@a:b', display_name: 'Z'.repeat(5000), avatar_url: null }])
  assert.equal(first, copy)
})

test('an empty page', () => {
  assert.is(searchAnswerBytes(false, []).toString(), '{"limited":false,"results":[]}')
})

test('an answer larger than the reused buffer may grow to is written into one of its own, byte for byte the same', () => {
  const huge = Array.from({ length: 50 }, (_, i) => ({ user_id: `@u${i}:test`, display_name: 'é"'.repeat(6000), avatar_url: null }))
  assert.ok(searchAnswerBytes(true, huge).equals(viaStringify(true, huge)))
  const small = [{ user_id: '@a:test', display_name: 'A', avatar_url: 'mxc://a/b' }]
  assert.ok(searchAnswerBytes(false, small).equals(viaStringify(false, small)))
})

test.run()
