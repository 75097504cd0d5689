import { normalizeText } from './normalize.js'

/** At most this many words of a search term are used (SPEC §3). */
export const MAX_QUERY_WORDS = 10

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })

// Python's `re.match(r"\w", s)`: the first character is a letter, a number or
// '_' (str.isalnum() or '_'), which is what Synapse tests pieces with.
const STARTS_WITH_WORD_CHAR = /^[\p{L}\p{N}_]/u
// Python's str.strip(): characters for which str.isspace() is true.
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g')
const AT_OR_COLON_RUNS = /[@:]+/
const GLUE = new Set(['-', '.', '_'])

function* pieces(term: string): Generator<string> {
  for (const { segment } of segmenter.segment(term)) {
    if (segment.includes('@') || segment.includes(':')) {
      for (const part of segment.split(AT_OR_COLON_RUNS)) yield part.replace(PY_STRIP, '')
    } else {
      yield segment.replace(PY_STRIP, '')
    }
  }
}

/**
 * Splits a search term into the words Synapse searches for (SPEC §3):
 * lowercase + NFKC, ICU word breaking (`Intl.Segmenter`), a second split on
 * runs of `@` and `:`, then `-`, `.` and `_` glued to the word after them
 * (and before them, if that was a word) so `user-71` and `alice.smith` stay
 * whole. Other punctuation and spaces are dropped; at most
 * {@link MAX_QUERY_WORDS} words are kept. Segmentation is lazy and stops
 * once the words are known, so a huge term costs work only up to its
 * eleventh word.
 *
 * @example parseQueryWords('@Alice.Smith:example.org') // ['alice.smith', 'example.org']
 */
export function parseQueryWords(term: string): string[] {
  const words: string[] = []
  // One piece of lookahead: the glue rule looks at the next piece.
  const iterator = pieces(normalizeText(term))
  let previous: string | undefined
  let next = iterator.next()
  while (!next.done && words.length <= MAX_QUERY_WORDS) {
    const current = next.value
    next = iterator.next()
    const before = previous
    previous = current
    if (current === '') continue
    if (GLUE.has(current)) {
      // A glue character needs a word after it; a trailing one is dropped.
      if (next.done || !STARTS_WITH_WORD_CHAR.test(next.value)) continue
      const suffix = next.value
      previous = suffix
      next = iterator.next()
      // Join the preceding word too, unless that piece was punctuation.
      const prefix = before !== undefined && STARTS_WITH_WORD_CHAR.test(before) && words.length > 0 ? words.pop() : ''
      words.push(`${prefix}${current}${suffix}`)
      continue
    }
    if (!STARTS_WITH_WORD_CHAR.test(current)) continue
    words.push(current)
  }
  return words.slice(0, MAX_QUERY_WORDS)
}
