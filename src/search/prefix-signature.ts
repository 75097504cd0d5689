import type { UserDocument } from '../text/index.js'
import { grown } from './grow.js'
import { MAX_INDEXED_PREFIX } from './prefix-postings.js'

// The lengths of the lexeme beginnings the signature records, one word each.
const SIGNATURE_LEVELS = [7, 8, 9, 10, 12, 15]
/** Words of signature per entry (see {@link addSignatureRequirement}). */
export const SIGNATURE_WORDS = SIGNATURE_LEVELS.length

/**
 * What a query lexeme longer than the indexed keys requires of a document
 * beyond its key: bits of a signature of `SIGNATURE_WORDS` words per entry
 * (see {@link PrefixSignatures}), a small Bloom filter of the beginnings of
 * the entry's long lexemes. Every lexeme longer than a key sets two bits of
 * word w hashed from its first `SIGNATURE_LEVELS[w]` characters (7, 8, 9,
 * 10, 12 and 15), as far as it is long. A query lexeme needs the bits its
 * own beginnings hash to: a document without them has no lexeme it
 * prefixes. Hashing whole beginnings, key included, keeps a lexeme every
 * entry has (the server name) from setting bits common to every key. ORs
 * the bits into the first `SIGNATURE_WORDS` words of `need` (none for a
 * lexeme of 6 characters or fewer), so one array gathers a whole query's.
 */
export function addSignatureRequirement(lexeme: string, need: Uint32Array): void {
  addSignatureBits(lexeme, need, 0)
}

function addSignatureBits(lexeme: string, words: Uint32Array, at: number): void {
  const n = lexeme.length
  if (n <= MAX_INDEXED_PREFIX) return
  let h = 0x811c9dc5
  let i = 0
  for (let w = 0; w < SIGNATURE_WORDS && SIGNATURE_LEVELS[w] <= n; w++) {
    for (; i < SIGNATURE_LEVELS[w]; i++) h = Math.imul(h ^ lexeme.charCodeAt(i), 0x01000193)
    const mixed = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d)
    words[at + w] |= (1 << (mixed >>> 27)) | (1 << ((mixed >>> 22) & 31))
  }
}

/** Whether the signature from `at` lacks any bit of the first `words` words of `need`. */
export function lacksSignature(signatures: Uint32Array, at: number, need: Uint32Array, words: number): boolean {
  for (let w = 0; w < words; w++) if ((need[w] & ~signatures[at + w]) !== 0) return true
  return false
}

/**
 * The prefix signature of every entry by dense id: `SIGNATURE_WORDS` words
 * from `SIGNATURE_WORDS * id`, the {@link addSignatureRequirement} bits of
 * every lexeme of the entry (in every tier document) longer than the
 * indexed keys (zeros for a free id). It lets the searcher skip a candidate
 * listed under a long query lexeme's key without reading its document.
 */
export class PrefixSignatures {
  #words = new Uint32Array(1024 * SIGNATURE_WORDS)

  /** Borrowed: read it, never write it, and read it again after the index changes. */
  get words(): Uint32Array {
    return this.#words
  }

  /** Makes room for ids below `idLimit`. */
  grow(idLimit: number): void {
    if (SIGNATURE_WORDS * idLimit > this.#words.length) this.#words = grown(this.#words, SIGNATURE_WORDS * idLimit)
  }

  /** Sets the signature of `id` to that of the documents' lexemes. */
  set(id: number, documents: readonly UserDocument[]): void {
    const words = this.#words
    const at = SIGNATURE_WORDS * id
    words.fill(0, at, at + SIGNATURE_WORDS)
    for (const document of documents) for (const lexeme of document.lexemes) addSignatureBits(lexeme, words, at)
  }

  /** Clears the signature of `id`. */
  clear(id: number): void {
    this.#words.fill(0, SIGNATURE_WORDS * id, SIGNATURE_WORDS * (id + 1))
  }
}
