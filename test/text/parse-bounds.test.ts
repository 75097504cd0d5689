// Search-term parsing does bounded work whatever the term (issue 19 item 3):
// counted in word-break segments, normalised characters and PostgreSQL
// parser steps, never in time. And the bound changes no answer for a term
// under the cap, nor the words a longer term's cut keeps.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import fc from 'fast-check'
import { MAX_QUERY_CHARS, MAX_QUERY_SEGMENTS, MAX_QUERY_WORDS, parseQueryWords, type ParseWork } from '../../src/text/parse-words.js'
import { normalizeText } from '../../src/text/normalize.js'
import { buildSearchQuery } from '../../src/text/pg-tsquery.js'
import { parserStepsTaken } from '../../src/text/pg-parser.js'
import { fill64k, hostileTerms } from '../../corpus/index.js'

const test = suite('text/parse-bounds')

const fill = fill64k
const ADVERSARIAL = hostileTerms(MAX_QUERY_CHARS)

// The words of one term share one parser budget of 1,000 + 8 steps per
// character (pg-tsquery.ts), and their characters are at most
// MAX_QUERY_CHARS.
const MAX_PARSER_STEPS = 1_000 + 8 * MAX_QUERY_CHARS

test('a 64 KB term of any content does bounded work', () => {
  for (const [name, term] of ADVERSARIAL) {
    const work: ParseWork = { segments: 0, normalizedChars: 0 }
    const stepsBefore = parserStepsTaken()
    const words = parseQueryWords(term, work)
    buildSearchQuery(words)
    const parserSteps = parserStepsTaken() - stepsBefore
    assert.ok(words.length <= MAX_QUERY_WORDS, name)
    assert.ok(work.normalizedChars <= MAX_QUERY_CHARS, `${name}: normalised ${work.normalizedChars} characters`)
    assert.ok(work.segments <= MAX_QUERY_SEGMENTS, `${name}: visited ${work.segments} segments`)
    assert.ok(parserSteps <= MAX_PARSER_STEPS, `${name}: ${parserSteps} parser steps`)
  }
})

test('a long term keeps its first words', () => {
  assert.equal(parseQueryWords(Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' ')), ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8', 'w9'])
  assert.equal(parseQueryWords('alice smith ' + fill('-')), ['alice', 'smith'])
  // The word the cut goes through is dropped, not shortened into a prefix.
  assert.equal(parseQueryWords('alice ' + fill('b')), ['alice'])
  assert.equal(parseQueryWords(fill('-')), [])
})

// The word splitting as it was before the bound: every segment of the whole
// normalised term (the specification the bounded version must keep).
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g')
const WORD_START = /^[\p{L}\p{N}_]/u
function referenceWords(term: string): string[] {
  const pieces: string[] = []
  for (const { segment } of segmenter.segment(normalizeText(term))) {
    for (const part of segment.includes('@') || segment.includes(':') ? segment.split(/[@:]+/) : [segment]) pieces.push(part.replace(PY_STRIP, ''))
  }
  const words: string[] = []
  for (let i = 0; i < pieces.length; i++) {
    const current = pieces[i]
    if (current === '') continue
    if (current === '-' || current === '.' || current === '_') {
      const next = pieces[i + 1]
      if (next === undefined || !WORD_START.test(next)) continue
      const before = pieces[i - 1]
      const prefix = before !== undefined && WORD_START.test(before) && words.length > 0 ? words.pop() : ''
      words.push(`${prefix}${current}${next}`)
      i++
      continue
    }
    if (WORD_START.test(current)) words.push(current)
  }
  return words.slice(0, MAX_QUERY_WORDS)
}

// Characters that exercise every rule: letters, digits, glue, @ and :,
// other punctuation, Unicode spaces (NFKC makes them U+0020), combining
// marks, ZWJ and emoji, Greek sigma (lowercased by context), Han, a
// ligature and a character NFKC expands.
const CHARS = [...'aZé9_-.@: !~/\'', '\u00a0', '\u3000', '\u202f', '\t', '\u0301', '\u200d', '\u{1F469}', 'Σ', '王', '\uFB01', '\uFDFA', 'İ']
const piece = fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''))

function segmentCount(term: string): number {
  let n = 0
  for (const _ of segmenter.segment(normalizeText(term))) n++
  return n
}

test('a term within the limits gets the words it got before them; any other term the first of them', () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
      const term = pieces.join('')
      const bounded = parseQueryWords(term)
      const full = referenceWords(term)
      assert.equal(bounded, full.slice(0, bounded.length), JSON.stringify(term))
      if (term.length > MAX_QUERY_CHARS || normalizeText(term).length > MAX_QUERY_CHARS || segmentCount(term) > MAX_QUERY_SEGMENTS) return
      assert.equal(bounded, full, JSON.stringify(term))
    }),
    { numRuns: 300 },
  )
})

test('a term over the limits gets the first words it got before them', () => {
  // Pieces joined by spaces or punctuation into terms of 1,000 to 5,000
  // characters, cut by one limit or the other.
  const separator = fc.constantFrom(' ', ' ', '!', '-', ' ~/ ', '')
  const longTerm = fc.array(fc.tuple(piece, separator), { minLength: 150, maxLength: 500 }).map((parts) => parts.map(([p, s]) => p + s).join(''))
  fc.assert(
    fc.property(longTerm, (term) => {
      const bounded = parseQueryWords(term)
      const full = referenceWords(term)
      assert.equal(bounded, full.slice(0, bounded.length), JSON.stringify(term))
      // Ten words within the first few dozen segments are all kept.
      const head = normalizeText(term.slice(0, 200))
      const headEnd = head.lastIndexOf(' ')
      if (headEnd > 0 && segmentCount(head.slice(0, headEnd)) < MAX_QUERY_SEGMENTS && referenceWords(head.slice(0, headEnd)).length === MAX_QUERY_WORDS) {
        assert.equal(bounded, full, JSON.stringify(term))
      }
    }),
    { numRuns: 60 },
  )
})

test('the segment limit drops a last word only when glue could extend it', () => {
  // Each '!' is a segment of its own; 'a' is the first segment.
  const bangs = (n: number): string => '!'.repeat(n)
  // 'x' is the last segment read: it could go on as 'x-y'.
  assert.equal(parseQueryWords(`a${bangs(MAX_QUERY_SEGMENTS - 2)}x-y`), ['a'])
  // '-' is the last segment read: 'x' is still open.
  assert.equal(parseQueryWords(`a${bangs(MAX_QUERY_SEGMENTS - 3)}x-y`), ['a'])
  // 'y' is the last: 'x-y' could go on as 'x-y-z'.
  assert.equal(parseQueryWords(`a${bangs(MAX_QUERY_SEGMENTS - 4)}x-y-z`), ['a'])
  // One segment after 'x-y' is read, and it is not glue: 'x-y' is whole.
  assert.equal(parseQueryWords(`a${bangs(MAX_QUERY_SEGMENTS - 5)}x-y!-z`), ['a', 'x-y'])
  assert.equal(parseQueryWords(`a${bangs(MAX_QUERY_SEGMENTS - 3)}x!-z`), ['a', 'x'])
  // Within the limit nothing is dropped.
  assert.equal(parseQueryWords(`a${bangs(MAX_QUERY_SEGMENTS - 4)}x-y`), ['a', 'x-y'])
})

test.run()
