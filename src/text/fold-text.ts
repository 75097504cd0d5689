import type { SearchQuery } from './pg-tsquery.js'

// Accent folding for the opt-in accent-insensitive search (not Synapse
// behaviour; Synapse issue #1523). Only the Combining Diacritical Marks block
// is stripped, so scripts whose vowel signs are marks (Devanagari, Thai,
// Arabic) keep them, and Hangul recomposes after NFD.
const COMBINING_DIACRITICS = /[\u0300-\u036f]/g
// Letters that carry a diacritic but do not decompose under NFD. Turkish
// dotless ı folds to i; dotted İ needs no entry: it lowercases to i + U+0307,
// whose dot is a combining diacritic.
const LETTER_FOLDS: Readonly<Record<string, string>> = Object.freeze({
  'ı': 'i', 'ł': 'l', 'ø': 'o', 'đ': 'd', 'ħ': 'h', 'ß': 'ss', 'æ': 'ae', 'œ': 'oe',
})
const UNDECOMPOSABLE = /[ıłøđħßæœ]/g
const NEEDS_FOLDING = /[^\u0000-\u007f]/

/**
 * Folds case and accents away: lowercase (PostgreSQL's `simple` dictionary
 * lowercases only ASCII, so a localpart lexeme can still hold `É`), NFD,
 * drop combining diacritics (U+0300–U+036F), map ı ł ø đ ħ ß æ œ to
 * i l o d h ss ae oe, then NFC. `amélie` → `amelie`, `İİ` → `ii`, `ıı` → `ii`.
 * ASCII text is returned as is (lexemes and search words hold no ASCII
 * capitals), and so is text that would fold to nothing (a lone mark).
 */
export function foldText(text: string): string {
  if (!NEEDS_FOLDING.test(text)) return text
  const folded = text.toLowerCase().normalize('NFD').replace(COMBINING_DIACRITICS, '').replace(UNDECOMPOSABLE, (c) => LETTER_FOLDS[c]).normalize('NFC')
  return folded === '' ? text : folded
}

/**
 * The query with every operand folded by {@link foldText}, phrases and their
 * shape unchanged; `q` itself when no operand changes (ASCII queries).
 */
export function foldSearchQuery(q: SearchQuery): SearchQuery {
  let changed = false
  const phrases = q.phrases.map((lexemes) =>
    lexemes.map((lexeme) => {
      const folded = foldText(lexeme)
      if (folded !== lexeme) changed = true
      return folded
    }),
  )
  if (!changed) return q
  return { phrases, operands: phrases.flat(), phraseStart: q.phraseStart }
}
