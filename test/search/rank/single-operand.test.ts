// The one-operand shortcut (singleOperandScore) against the general
// matchesQuery + synapseScore, which are checked against PostgreSQL itself.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { propertyRuns } from '../../arbitraries/operations.js'
import { matchesQuery, singleOperandScore, synapseScore } from '../../../src/search/rank/index.js'
import { buildSearchQuery, buildUserDocument, parseQueryWords } from '../../../src/text/index.js'

const test = suite('src/search/rank/synapse-score.ts singleOperandScore')

// Short words from few letters, so names repeat words and queries prefix several lexemes.
const word = fc.array(fc.constantFrom('a', 'b', 'al', 'é', '1', '.', '-', 'ü', 'и'), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''))
const name = fc.array(word, { maxLength: 5 }).map((words) => words.join(' '))

test('equals the general score wherever it answers, and -1 exactly when nothing matches', () => {
  let answered = 0
  fc.assert(
    fc.property(word, fc.option(name), word, fc.boolean(), fc.boolean(), (localpart, displayName, term, hasAvatar, boosted) => {
      const doc = buildUserDocument(localpart, 'example.org', displayName)
      const query = buildSearchQuery(parseQueryWords(term))
      if (query.operands.length !== 1) return true
      const fast = singleOperandScore(doc, query.operands[0], displayName !== null, hasAvatar, boosted)
      const matches = matchesQuery(doc, query)
      if (fast === -1) {
        assert.not.ok(matches, `${term} in ${localpart} / ${displayName}: shortcut says no match`)
        return true
      }
      assert.ok(matches || Number.isNaN(fast), `${term} in ${localpart} / ${displayName}: shortcut matched`)
      if (Number.isNaN(fast)) return true
      answered++
      assert.ok(Object.is(fast, synapseScore(doc, query, displayName !== null, hasAvatar, boosted)), `${term} in ${localpart} / ${displayName}`)
      return true
    }),
    { numRuns: propertyRuns(2000) },
  )
  assert.ok(answered > 100, `only ${answered} cases took the shortcut`)
})

test.run()
