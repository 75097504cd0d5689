// PostgreSQL's `parsetext` (ts_parse.c) under the `simple` configuration: run
// the default parser, keep the token types `simple` maps to a dictionary, drop
// over-long tokens, and lowercase what is left the way the `simple`
// dictionary does in a database with LC_CTYPE 'C'.
import { parseTokens, toParserInput, type ParserBudget } from './pg-parser.js'
import { TokenType } from './pg-parser-states.js'

/** Tokens of this many UTF-8 bytes or more are dropped ("word is too long to be indexed"). */
const MAX_TOKEN_BYTES = 2047

// pg_ts_config_map for `simple`: every type but these four has a dictionary.
function isIndexedType(type: number): boolean {
  return type !== TokenType.Space && type !== TokenType.Tag && type !== TokenType.Protocol && type !== TokenType.XmlEntity
}

function utf8Length(codePoints: Int32Array, start: number, end: number): number {
  let bytes = 0
  for (let i = start; i < end; i++) {
    const cp = codePoints[i]
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
  }
  return bytes
}

// The simple dictionary lowercases with pg_tolower byte by byte in the C
// locale: only A-Z change ('ÉCOLE' becomes 'École').
const ASCII_UPPER = /[A-Z]+/g
function lowerAscii(token: string): string {
  return token.replace(ASCII_UPPER, (run) => run.toLowerCase())
}

/**
 * The lexemes `to_tsvector('simple', text)` sees, in text order: lexeme `i`
 * sits at position `i + 1` (positions are not yet capped at 16383). A token
 * that is skipped takes no position. `budget`, if given, is the parser's step
 * budget (shared with other parses; by default each text gets its own).
 */
export function parseText(text: string, budget?: ParserBudget): string[] {
  if (text.length === 0) return []
  if (budget === undefined && text.length < MAX_TOKEN_BYTES && PLAIN_WORDS.test(text)) return text.toLowerCase().split(' ')
  return parseTextByParser(text, budget)
}

// Words of ASCII letters and digits, each starting with a letter, one space
// apart: the parser reads each word as one asciiword or numword token and
// each space as a blank, so the lexemes are the words lowercased (they are
// ASCII, so toLowerCase changes A-Z alone, as pg_tolower does). Most names
// and localparts are such texts, and document building is the largest share
// of reopen at 1M (bench/experiments/document-build.ts). The property test in
// test/text/pg-parsetext.test.ts checks it against the parser.
const PLAIN_WORDS = /^[A-Za-z][A-Za-z0-9]*(?: [A-Za-z][A-Za-z0-9]*)*$/

/** {@link parseText} through the parser alone (for tests of the shortcut). */
export function parseTextByParser(text: string, budget?: ParserBudget): string[] {
  const input = toParserInput(text)
  const lexemes: string[] = []
  parseTokens(
    input,
    (type, start, end) => {
      if (!isIndexedType(type) || utf8Length(input.codePoints, start, end) >= MAX_TOKEN_BYTES) return
      lexemes.push(lowerAscii(text.slice(input.offsets[start], input.offsets[end])))
    },
    budget,
  )
  return lexemes
}
