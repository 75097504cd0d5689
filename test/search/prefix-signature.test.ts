import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SIGNATURE_WORDS, addSignatureRequirement } from '../../src/search/prefix-signature.js'

const test = suite('src/search/prefix-signature.ts')

test('a lexeme longer than the indexed key sets every signature bit a query lexeme it starts with needs', () => {
  const need = new Uint32Array(SIGNATURE_WORDS)
  const has = new Uint32Array(SIGNATURE_WORDS)
  fc.assert(
    fc.property(fc.string({ minLength: 7, maxLength: 14, unit: fc.constantFrom('a', 'b', '7', '.', 'é', '中', '\u{1F600}') }), fc.nat(), (lexeme, cut) => {
      const query = lexeme.slice(0, 7 + (cut % (lexeme.length - 6)))
      has.fill(0)
      need.fill(0)
      addSignatureRequirement(lexeme, has)
      addSignatureRequirement(query, need)
      assert.ok(need.every((bits, w) => (bits & ~has[w]) === 0), `${JSON.stringify(query)} needs bits ${JSON.stringify(lexeme)} lacks`)
    }),
  )
  need.fill(0)
  addSignatureRequirement('alexan', need)
  assert.ok(need.every((bits) => bits === 0))
})

test.run()
