// The document Synapse stores per user (`user_directory_search.vector`):
//   setweight(to_tsvector('simple', localpart), 'A')
//   || setweight(to_tsvector('simple', server_name), 'D')
//   || setweight(to_tsvector('simple', COALESCE(display_name, '')), 'B')
// built the way PostgreSQL 15 builds it (to_tsany.c `uniqueWORD`,
// tsvector_op.c `tsvector_concat`), positions and their limits included.
import { normalizeText } from './normalize.js'
import { parseText } from './pg-parsetext.js'
import { comparePgText } from './pg-text-order.js'

/** Positions above this are stored as this (MAXENTRYPOS - 1). */
export const MAX_POSITION = 16383
/** At most this many positions per lexeme from `to_tsvector` (MAXNUMPOS - 1); `||` allows one more. */
const MAX_POSITIONS_PARSED = 255
const MAX_POSITIONS_CONCAT = 256

/** Weight codes as PostgreSQL packs them: D 0, C 1, B 2, A 3. */
const Weight = { D: 0, C: 1, B: 2, A: 3 } as const

/**
 * One user's text-search document, packed for ranking without allocation.
 * `positions` holds PostgreSQL `WordEntryPos` values: the position in the
 * low 14 bits, the weight code ({@link Weight}) in the top 2; lexeme `i`
 * owns `positions[positionStart[i] .. positionStart[i + 1])`, ascending.
 * Both are plain arrays of small integers: a million documents are kept,
 * and two typed arrays (each with its own ArrayBuffer) cost several times
 * the heap of two exactly-sized packed arrays.
 */
export interface UserDocument {
  /** Unique lexemes of the whole vector, sorted in PostgreSQL's (UTF-8 byte) order. */
  readonly lexemes: readonly string[]
  readonly positionStart: readonly number[]
  readonly positions: readonly number[]
}

// A vector while it is built: lexeme → packed positions in ascending order.
type Vector = Map<string, number[]>

function vectorOf(text: string, weight: number): Vector {
  const vector: Vector = new Map()
  const lexemes = parseText(text)
  for (let i = 0; i < lexemes.length; i++) {
    const position = Math.min(i + 1, MAX_POSITION)
    const list = vector.get(lexemes[i])
    if (list === undefined) {
      vector.set(lexemes[i], [position | (weight << 14)])
      continue
    }
    const last = list[list.length - 1] & 0x3fff
    if (list.length < MAX_POSITIONS_PARSED && last !== MAX_POSITION && last !== position) {
      list.push(position | (weight << 14))
    }
  }
  return vector
}

// add_pos: append `from`'s positions shifted by `shift`, while there is room
// and the last position is not the 16383 ceiling.
function appendShifted(into: number[], from: readonly number[], shift: number): void {
  for (let i = 0; i < from.length; i++) {
    if (into.length >= MAX_POSITIONS_CONCAT) return
    if (into.length > 0 && (into[into.length - 1] & 0x3fff) === MAX_POSITION) return
    const position = Math.min((from[i] & 0x3fff) + shift, MAX_POSITION)
    into.push((from[i] & 0xc000) | position)
  }
}

// tsvector_concat (`||`): the right side's positions move past the left's maximum.
function concat(left: Vector, right: Vector): Vector {
  let shift = 0
  for (const list of left.values()) for (const packed of list) shift = Math.max(shift, packed & 0x3fff)
  const out: Vector = new Map()
  for (const [lexeme, list] of left) out.set(lexeme, list.slice())
  for (const [lexeme, list] of right) {
    const into = out.get(lexeme) ?? []
    appendShifted(into, list, shift)
    out.set(lexeme, into)
  }
  return out
}

function pack(vector: Vector): UserDocument {
  const lexemes = [...vector.keys()].sort(comparePgText)
  return packDocument(lexemes, lexemes.map((lexeme) => vector.get(lexeme) as number[]))
}

// Documents are many (one per directory entry) and mostly alike in shape:
// nine in ten have one position per lexeme, and their position lists repeat
// the same few patterns. Such arrays are shared between documents instead
// of allocated for each (documents are read-only), which bench/README.md's
// table credits with part of the heap saved at 1M. The lexeme strings that
// recur (server names, common names) are shared the same way, through a
// table of at most INTERNED_MAX strings, so it cannot grow without bound.
const SHARED_MAX_LENGTH = 16
const SHARED_POSITIONS_MAX = 1 << 16
const INTERNED_MAX = 1 << 18
const MAX_INTERNED_LENGTH = 64
// Module-level on purpose: sharing pays across every document of the
// process, whichever index holds it. Bounded by the limits above, and
// consecutiveStarts by the most lexemes of one document.
const consecutiveStarts: number[][] = []
const sharedPositions = new Map<string, number[]>()
const internedLexemes = new Map<string, string>()

// [0, 1, …, n]: the starts of n lexemes with one position each.
function consecutive(n: number): number[] {
  for (let k = consecutiveStarts.length; k <= n; k++) consecutiveStarts.push(Array.from({ length: k + 1 }, (_, i) => i))
  return consecutiveStarts[n]
}

function shared(positions: number[]): number[] {
  if (positions.length > SHARED_MAX_LENGTH) return positions.slice()
  const key = String.fromCharCode(...positions)
  const known = sharedPositions.get(key)
  if (known !== undefined) return known
  const copy = positions.slice()
  if (sharedPositions.size < SHARED_POSITIONS_MAX) sharedPositions.set(key, copy)
  return copy
}

function intern(lexeme: string): string {
  if (lexeme.length > MAX_INTERNED_LENGTH) return lexeme
  const known = internedLexemes.get(lexeme)
  if (known !== undefined) return known
  if (internedLexemes.size < INTERNED_MAX) internedLexemes.set(lexeme, lexeme)
  return lexeme
}

/**
 * A document from its sorted lexemes and each one's packed positions
 * (ascending). Its arrays may be shared with other documents: never write them.
 */
export function packDocument(lexemes: string[], positionLists: readonly (readonly number[])[]): UserDocument {
  const positionStart: number[] = []
  const positions: number[] = []
  let onePerLexeme = true
  for (let i = 0; i < lexemes.length; i++) {
    positionStart.push(positions.length)
    if (positionLists[i].length !== 1) onePerLexeme = false
    for (const packed of positionLists[i]) positions.push(packed)
  }
  positionStart.push(positions.length)
  // slice() copies into exactly-sized arrays: push leaves 16 or more spare slots.
  return {
    lexemes: lexemes.map(intern),
    positionStart: onePerLexeme && lexemes.length <= SHARED_MAX_LENGTH ? consecutive(lexemes.length) : positionStart.slice(),
    positions: shared(positions),
  }
}

/**
 * Builds a user's document as Synapse's PostgreSQL schema stores it: the
 * localpart with weight A, the server name (port included) with D, and the
 * display name, lowercased and NFKC-normalised here, with B (none if null).
 * Cost is linear in the text for ordinary names; run it at ingest.
 *
 * @example buildUserDocument('user-71', 'example.org', 'Alice').lexemes // ['-71', 'alice', 'example.org', 'user']
 */
export function buildUserDocument(localpart: string, serverName: string, displayName: string | null): UserDocument {
  const name = displayName === null ? '' : normalizeText(displayName)
  const left = concat(vectorOf(localpart, Weight.A), vectorOf(serverName, Weight.D))
  return pack(concat(left, vectorOf(name, Weight.B)))
}

/** A document holding `to_tsvector('simple', text)` alone (all positions weight D). */
function toTsvectorDocument(text: string): UserDocument {
  return pack(vectorOf(text, Weight.D))
}

const WEIGHT_LETTERS = ['', 'C', 'B', 'A']

/** PostgreSQL's text output of a tsvector (`tsvectorout`), e.g. `'-71':2A 'user':1A`. */
export function formatTsvector(doc: UserDocument): string {
  const parts: string[] = []
  for (let i = 0; i < doc.lexemes.length; i++) {
    const quoted = doc.lexemes[i].replace(/'/g, "''").replace(/\\/g, '\\\\')
    const positions: string[] = []
    for (let j = doc.positionStart[i]; j < doc.positionStart[i + 1]; j++) {
      const packed = doc.positions[j]
      positions.push(`${packed & 0x3fff}${WEIGHT_LETTERS[packed >> 14]}`)
    }
    parts.push(`'${quoted}':${positions.join(',')}`)
  }
  return parts.join(' ')
}

/** Exactly PostgreSQL's text output of `to_tsvector('simple', text)`, e.g. `'-71':2 'user':1`. */
export function toTsvectorString(text: string): string {
  return formatTsvector(toTsvectorDocument(text))
}
