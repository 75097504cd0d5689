import { normalizeText } from './normalize.js'

/** At most this many words of a search term are used (SPEC §3). */
export const MAX_QUERY_WORDS = 10

/**
 * At most this many UTF-16 code units of a search term are read, before and
 * again after normalisation (which can expand text). It bounds the work of
 * normalising (NFKC reorders a run of combining marks in quadratic time) and
 * of PostgreSQL's parser (linear per word, capped per character); the
 * longest term in the ranking snapshots is 3,903 characters.
 */
export const MAX_QUERY_CHARS = 4096

/**
 * At most this many word-break segments of a search term are visited. Each
 * punctuation character is a segment of its own, so a term of punctuation
 * alone would otherwise cost work in proportion to its length
 * (bench/experiments/hostile-terms.ts times such terms). Ten words take about
 * 20 segments (the most any snapshot term needs is 33).
 */
export const MAX_QUERY_SEGMENTS = 256

/**
 * A tally of the work {@link parseQueryWords} did, for tests that check it
 * stays bounded whatever the term (counting work, not time): word-break
 * segments visited and characters normalised.
 */
export interface ParseWork {
  segments: number
  normalizedChars: number
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' })

// Python's `re.match(r"\w", s)`: the first character is a letter, a number or
// '_' (str.isalnum() or '_'), which is what Synapse tests pieces with.
const STARTS_WITH_WORD_CHAR = /^[\p{L}\p{N}_]/u
// Python's str.strip(): characters for which str.isspace() is true.
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g')
const AT_OR_COLON_RUNS = /[@:]+/
const GLUE = new Set(['-', '.', '_'])

// The pieces of the first MAX_QUERY_SEGMENTS segments; `cut.segments` says
// whether more followed. ICU's segments are the same whether or not the
// iteration runs to the end, so every piece yielded is the full term's.
function* pieces(term: string, work: ParseWork | undefined, cut: { segments: boolean }): Generator<string> {
  let visited = 0
  for (const { segment } of segmenter.segment(term)) {
    if (visited === MAX_QUERY_SEGMENTS) {
      cut.segments = true
      return
    }
    visited++
    if (work !== undefined) work.segments++
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
 * once the words are known, so a term of many words costs work only up to
 * its eleventh word.
 *
 * Work is bounded whatever the term: at most {@link MAX_QUERY_CHARS}
 * characters are read (a term cut there is read up to the last space before
 * the cut, so every word read is whole and split as in the full term), and
 * at most {@link MAX_QUERY_SEGMENTS} segments are visited (a last word that a
 * glue character in the unread rest could extend is dropped). The answer is
 * then the first of the full term's words; for any term within both limits,
 * which includes every term in the ranking snapshots, it is all of them, as
 * Synapse finds them (`_parse_words_with_icu` in
 * storage/databases/main/user_directory.py, which reads the whole term).
 *
 * @example parseQueryWords('@Alice.Smith:example.org') // ['alice.smith', 'example.org']
 */
export function parseQueryWords(term: string, work?: ParseWork): string[] {
  const words: string[] = []
  const cut = { segments: false }
  // One piece of lookahead: the glue rule looks at the next piece.
  const iterator = pieces(boundedText(term, work), work, cut)
  // Pieces read so far, the index of the piece that ended the last word,
  // and the last piece read: enough to tell whether the last word is
  // closed when reading stops early.
  let read = 0
  let lastWordEnd = -1
  let lastPiece = ''
  const readPiece = (): IteratorResult<string> => {
    const result = iterator.next()
    if (result.done !== true) {
      read++
      lastPiece = result.value
    }
    return result
  }
  let previous: string | undefined
  let next = readPiece()
  while (!next.done && words.length <= MAX_QUERY_WORDS) {
    const current = next.value
    next = readPiece()
    const before = previous
    previous = current
    if (current === '') continue
    if (GLUE.has(current)) {
      // A glue character needs a word after it; a trailing one is dropped.
      if (next.done || !STARTS_WITH_WORD_CHAR.test(next.value)) continue
      const suffix = next.value
      previous = suffix
      next = readPiece()
      // Join the preceding word too, unless that piece was punctuation.
      const prefix = before !== undefined && STARTS_WITH_WORD_CHAR.test(before) && words.length > 0 ? words.pop() : ''
      words.push(`${prefix}${current}${suffix}`)
      lastWordEnd = next.done ? read - 1 : read - 2
      continue
    }
    if (!STARTS_WITH_WORD_CHAR.test(current)) continue
    words.push(current)
    lastWordEnd = next.done ? read - 1 : read - 2
  }
  // Stopped by the segment limit: the last word is closed only if the piece
  // after it is read and is not glue, or two pieces after it are read.
  if (cut.segments && words.length <= MAX_QUERY_WORDS && lastWordEnd >= 0) {
    const after = read - 1 - lastWordEnd
    if (after === 0 || (after === 1 && GLUE.has(lastPiece))) words.pop()
  }
  return words.slice(0, MAX_QUERY_WORDS)
}

// The normalised term, or for a term over the cap, its normalised first
// MAX_QUERY_CHARS characters up to their last space. ICU breaks before a
// space that follows a non-space and decides every earlier break from at
// most two characters of lookahead that cannot skip a space (UAX #29 rules
// WB6-WB12), so the words before that space are the full term's; NFKC maps
// the Unicode spaces to U+0020, so one character suffices.
function boundedText(term: string, work: ParseWork | undefined): string {
  const read = term.length > MAX_QUERY_CHARS ? term.slice(0, MAX_QUERY_CHARS) : term
  let text = normalizeText(read)
  if (work !== undefined) work.normalizedChars += read.length
  if (read.length === term.length && text.length <= MAX_QUERY_CHARS) return text
  if (text.length > MAX_QUERY_CHARS) text = text.slice(0, MAX_QUERY_CHARS)
  const lastSpace = text.lastIndexOf(' ')
  return lastSpace < 0 ? '' : text.slice(0, lastSpace)
}
