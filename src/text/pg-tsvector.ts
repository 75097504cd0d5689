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
// table of INTERNED_MAX slots that cannot grow: a lexeme hashes to one slot,
// the first lexeme to reach a slot keeps it, and a later one that finds an
// equal string there shares it. A Map held the same strings for the same
// heap but cost a third of document building at 1M in lookups
// (bench/experiments/document-build.ts: 5.4–5.6 s a pass with the Map,
// 4.4–4.8 s with the slots, 130 MiB held either way).
const SHARED_MAX_LENGTH = 16
const SHARED_POSITIONS_MAX = 1 << 16
const INTERNED_MAX = 1 << 18
const MAX_INTERNED_LENGTH = 64
// Module-level on purpose: sharing pays across every document of the
// process, whichever index holds it. Bounded by the limits above, and
// consecutiveStarts by the most lexemes of one document.
const consecutiveStarts: number[][] = []
const sharedPositions = new Map<string, number[]>()
const internedLexemes: (string | undefined)[] = new Array<string | undefined>(INTERNED_MAX).fill(undefined)

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

// The shared string equal to `lexeme`, or `lexeme` itself.
function intern(lexeme: string): string {
  const n = lexeme.length
  if (n > MAX_INTERNED_LENGTH) return lexeme
  let h = Math.imul(n, 0x9e3779b1)
  for (let i = 0; i < n; i++) h = Math.imul(h ^ lexeme.charCodeAt(i), 0x01000193)
  const slot = (h ^ (h >>> 15)) & (INTERNED_MAX - 1)
  const known = internedLexemes[slot]
  if (known === lexeme) return known
  if (known === undefined) internedLexemes[slot] = lexeme
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
  return sharedDocument(lexemes.map(intern), positionStart, positions, onePerLexeme)
}

// The document with its position arrays shared where they recur; slice()
// copies the rest into exactly-sized arrays (push leaves 16 or more spare
// slots). `lexemes` must be exactly sized already.
function sharedDocument(lexemes: string[], positionStart: number[], positions: number[], onePerLexeme: boolean): UserDocument {
  return {
    lexemes,
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
  const a = parseText(localpart)
  const d = serverNameTokens(serverName)
  const b = parseText(name)
  if (a.length + d.length + b.length <= MAX_POSITIONS_PARSED - 1) return packTokens(a, d, b)
  return buildUserDocumentByVectors(localpart, serverName, name)
}

// Server names recur (every local user has the same one): their tokens are
// parsed once and shared. Bounded: at most SERVER_TOKENS_MAX names of at most
// SERVER_NAME_MAX_LENGTH characters (about 1 MB with their tokens).
const SERVER_TOKENS_MAX = 1024
const SERVER_NAME_MAX_LENGTH = 255
const serverTokens = new Map<string, readonly string[]>()

function serverNameTokens(serverName: string): readonly string[] {
  const known = serverTokens.get(serverName)
  if (known !== undefined) return known
  const tokens = parseText(serverName).map(intern)
  if (serverName.length <= SERVER_NAME_MAX_LENGTH && serverTokens.size < SERVER_TOKENS_MAX) serverTokens.set(serverName, tokens)
  return tokens
}

/**
 * The general construction, vector by vector as PostgreSQL does it: every
 * limit applies (255 positions per lexeme from a parse, 256 after `||`, the
 * 16383 ceiling). `buildUserDocument` takes it only for texts of 254 tokens
 * or more; the property test in test/text/pg-tsvector.test.ts checks
 * the short path against it. `name` is already normalised.
 */
export function buildUserDocumentByVectors(localpart: string, serverName: string, name: string): UserDocument {
  const left = concat(vectorOf(localpart, Weight.A), vectorOf(serverName, Weight.D))
  return pack(concat(left, vectorOf(name, Weight.B)))
}

/**
 * The document of three token lists of at most 254 tokens in all. Then no
 * limit of the general construction is reached: token `k` (1-based, over the
 * three lists in order) sits at position `k` (each `||` shifts the right side
 * by the left side's highest position, which is its token count), no lexeme
 * gathers 255 positions and no position nears 16383. So the document is the
 * sorted unique tokens with their positions, each weighted by its list.
 * Builds no Map and copies no list. With the parse shortcut and the slot
 * table below, building 1M documents went from a median pass of 8.9–10.7 s
 * to 4.5 s, holding 131 MiB against 128 (bench/experiments/document-build.ts).
 */
function packTokens(a: readonly string[], d: readonly string[], b: readonly string[]): UserDocument {
  const n = a.length + d.length + b.length
  const tokens: string[] = new Array<string>(n)
  const order: number[] = new Array<number>(n)
  for (let k = 0; k < n; k++) {
    tokens[k] = k < a.length ? a[k] : k < a.length + d.length ? d[k - a.length] : b[k - a.length - d.length]
    order[k] = k
  }
  // Stable by position among equal tokens, so each lexeme's positions come out ascending.
  order.sort((x, y) => comparePgText(tokens[x], tokens[y]) || x - y)
  const lexemes: string[] = []
  const positionStart: number[] = []
  const positions: number[] = []
  let onePerLexeme = true
  for (let i = 0; i < n; i++) {
    const k = order[i]
    const weight = k < a.length ? Weight.A : k < a.length + d.length ? Weight.D : Weight.B
    if (i === 0 || tokens[k] !== tokens[order[i - 1]]) {
      lexemes.push(intern(tokens[k]))
      positionStart.push(positions.length)
    } else {
      onePerLexeme = false
    }
    positions.push((k + 1) | (weight << 14))
  }
  positionStart.push(positions.length)
  return sharedDocument(lexemes.slice(), positionStart, positions, onePerLexeme)
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
