// The queries Synapse builds from search words: each word w becomes the
// quoted operand 'w' (with ' and \ doubled) of to_tsquery('simple', …), and
// to_tsquery runs the default parser on it (to_tsany.c `pushval_morph`). A
// word that yields several lexemes becomes a phrase, lexemes joined by <->; a
// word that yields none is dropped when PostgreSQL cleans the query of empty
// operands (tsquery_cleanup.c). The three queries Synapse sends differ only
// in which operands carry :* , so one structure serves all three.
import { parseText } from './pg-parsetext.js'

/**
 * The search words as PostgreSQL parses them: one phrase per kept word, its
 * lexemes in order. `operands` and `phraseStart` are the same lexemes
 * flattened for the ranker: phrase `p` is
 * `operands[phraseStart[p] .. phraseStart[p + 1])`.
 */
export interface SearchQuery {
  readonly phrases: readonly (readonly string[])[]
  readonly operands: readonly string[]
  readonly phraseStart: Int32Array
}

// The parser steps the words of one search term may take together. Every
// word list in the PostgreSQL goldens and every snapshot term takes at most
// 5 steps per character (ordinary text 1 to 3); a crafted word (runs of `a_`
// backtrack quadratically) stops here, its tokens so far kept, and words
// after it get no steps. Lower than the parser's own cap for a display name
// (about 50 per code point), as a search term is untrusted input on every
// request: at most 4,096 characters (MAX_QUERY_CHARS) make ~34k steps.
const QUERY_STEPS_BASE = 1_000
const QUERY_STEPS_PER_CHARACTER = 8

/**
 * Builds the query for already normalised and split search words (see
 * `parseQueryWords`). A query without phrases matches nothing, as
 * PostgreSQL's empty tsquery does. Cost is linear in the words' length for
 * ordinary words and capped for crafted ones at 8 parser steps per
 * character of all the words together.
 *
 * @example buildSearchQuery(['user-71', 'alice.smi']).phrases // [['user', '-71'], ['alice.smi']]
 */
export function buildSearchQuery(words: readonly string[]): SearchQuery {
  const phrases: string[][] = []
  // One step budget for all the words: a crafted word costs at most that,
  // not ten words' worth of it.
  let length = 0
  for (const word of words) length += word.length
  const budget = { steps: QUERY_STEPS_BASE + QUERY_STEPS_PER_CHARACTER * length }
  for (const word of words) {
    const lexemes = parseText(word, budget)
    if (lexemes.length > 0) phrases.push(lexemes)
  }
  const phraseStart = new Int32Array(phrases.length + 1)
  const operands: string[] = []
  for (let p = 0; p < phrases.length; p++) {
    phraseStart[p] = operands.length
    operands.push(...phrases[p])
  }
  phraseStart[phrases.length] = operands.length
  return { phrases, operands, phraseStart }
}

function quoteLexeme(lexeme: string): string {
  return `'${lexeme.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`
}

/**
 * PostgreSQL's text output of one of Synapse's three queries for these
 * words: `both` (`'w':* | 'w'` per word), `exact` or `prefix`; an empty
 * string for an empty query. For tests against captured PostgreSQL output.
 */
export function formatTsquery(q: SearchQuery, form: 'both' | 'exact' | 'prefix'): string {
  const phrase = (lexemes: readonly string[], prefix: boolean): string =>
    lexemes.map((l) => quoteLexeme(l) + (prefix ? ':*' : '')).join(' <-> ')
  const parts = q.phrases.map((lexemes) => {
    if (form === 'exact') return phrase(lexemes, false)
    if (form === 'prefix') return phrase(lexemes, true)
    return `( ${phrase(lexemes, true)} | ${phrase(lexemes, false)} )`
  })
  if (form === 'both' && parts.length === 1) return parts[0].slice(2, -2)
  return parts.join(' & ')
}
