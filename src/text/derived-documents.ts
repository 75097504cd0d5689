// Documents derived from a user's PostgreSQL document for the opt-in match
// tiers (not Synapse behaviour): each lexeme is replaced by its variants,
// which keep the lexeme's positions and weights, so `@@`, phrases and
// ts_rank_cd run on them unchanged. Built at ingest, never per query.
import { foldText } from './fold-text.js'
import { comparePgText } from './pg-text-order.js'
import { packDocument } from './pg-tsvector.js'
import type { UserDocument } from './pg-tsvector.js'

/**
 * Suffixes start at most this many UTF-16 code units into their lexeme, so
 * an infix starting further in is not found; it bounds a lexeme's variants.
 */
export const MAX_INFIX_OFFSET = 32

type Variants = (lexeme: string, out: string[]) => void

const foldVariants: Variants = (lexeme, out) => {
  out.push(foldText(lexeme))
}

const infixVariants: Variants = (lexeme, out) => {
  out.push(lexeme)
  const last = Math.min(lexeme.length - 1, MAX_INFIX_OFFSET)
  for (let i = 1; i <= last; i++) {
    const unit = lexeme.charCodeAt(i)
    // Never split a surrogate pair.
    if (unit >= 0xdc00 && unit <= 0xdfff) continue
    out.push(lexeme.slice(i))
  }
}

// `doc` with each lexeme replaced by its variants (positions merged, sorted,
// one per position keeping the highest weight, as tsvector's uniquePos
// does); `doc` itself when every lexeme's only variant is itself.
function deriveDocument(doc: UserDocument, variants: Variants): UserDocument {
  const positionsByLexeme = new Map<string, number[]>()
  const out: string[] = []
  let changed = false
  for (let i = 0; i < doc.lexemes.length; i++) {
    out.length = 0
    variants(doc.lexemes[i], out)
    for (const variant of out) {
      if (variant !== doc.lexemes[i]) changed = true
      let list = positionsByLexeme.get(variant)
      if (list === undefined) positionsByLexeme.set(variant, (list = []))
      for (let j = doc.positionStart[i]; j < doc.positionStart[i + 1]; j++) list.push(doc.positions[j])
    }
  }
  if (!changed) return doc
  const lexemes = [...positionsByLexeme.keys()].sort(comparePgText)
  const lists = lexemes.map((lexeme) => uniquePositions(positionsByLexeme.get(lexeme) as number[]))
  return packDocument(lexemes, lists)
}

function uniquePositions(packed: number[]): number[] {
  packed.sort((a, b) => (a & 0x3fff) - (b & 0x3fff) || b - a)
  const out: number[] = []
  for (const p of packed) if (out.length === 0 || (out[out.length - 1] & 0x3fff) !== (p & 0x3fff)) out.push(p)
  return out
}

/**
 * The document with every lexeme folded by `foldText` (`amélie` → `amelie`);
 * lexemes that fold alike merge. Returns `doc` itself when nothing folds, so
 * ASCII names cost no memory.
 */
export function foldDocument(doc: UserDocument): UserDocument {
  return deriveDocument(doc, foldVariants)
}

/**
 * The document plus every suffix of each lexeme that starts within
 * {@link MAX_INFIX_OFFSET} code units, at the lexeme's positions, so a
 * prefix match on it is an infix match on `doc` (`lex` matches `alex` via
 * its suffix `lex`). Cost: a lexeme of n code units adds up to n - 1
 * suffix strings.
 */
export function infixDocument(doc: UserDocument): UserDocument {
  return deriveDocument(doc, infixVariants)
}
