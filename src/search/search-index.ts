import type { UserId } from '../ids/index.js'
import { grown } from './grow.js'
import { matchTiers } from './match-tiers.js'
import { FlexPrefixPostings, MAX_INDEXED_PREFIX } from './prefix-postings.js'
import type { PostingLists, PrefixPostings } from './prefix-postings.js'
import type { MatchOptions, MatchTiers } from './match-tiers.js'
import { RankedListCache } from './ranked-lists.js'
import { buildUserDocument } from './ranking.js'
import type { UserDocument } from './ranking.js'

// Changed ids kept for patching cached rankings; older lists are rebuilt.
const CHANGE_LOG_KEEP = 1 << 15

// The lengths of the lexeme beginnings the tail bits record, one word each.
const TAIL_LEVELS = [7, 8, 9, 10, 12, 15]
/** Words of tail bits per entry (see `addTailRequirement`). */
export const TAIL_WORDS = TAIL_LEVELS.length

/**
 * What a query lexeme longer than the indexed keys requires of a document
 * beyond its key: bits of a signature of `TAIL_WORDS` words per entry (see
 * `SearchIndex.tails`), a small Bloom filter of the lexemes' beginnings.
 * Every lexeme longer than a key sets two bits of word w hashed from its
 * first `TAIL_LEVELS[w]` characters (7, 8, 9, 10, 12 and 15), as far as it is
 * long. A query lexeme needs the bits its own beginnings hash to: a
 * document without them has no lexeme it prefixes. Hashing whole
 * beginnings, key included, keeps a lexeme every entry has (the server
 * name) from setting bits common to every key. ORs the bits into the first
 * `TAIL_WORDS` words of `need` (none for a lexeme of 6 characters or fewer),
 * so one array gathers a whole query's.
 */
export function addTailRequirement(lexeme: string, need: Uint32Array): void {
  addTailBits(lexeme, need, 0)
}

function addTailBits(lexeme: string, words: Uint32Array, at: number): void {
  const n = lexeme.length
  if (n <= MAX_INDEXED_PREFIX) return
  let h = 0x811c9dc5
  let i = 0
  for (let w = 0; w < TAIL_WORDS && TAIL_LEVELS[w] <= n; w++) {
    for (; i < TAIL_LEVELS[w]; i++) h = Math.imul(h ^ lexeme.charCodeAt(i), 0x01000193)
    const mixed = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d)
    words[at + w] |= (1 << (mixed >>> 27)) | (1 << ((mixed >>> 22) & 31))
  }
}

/**
 * Per-entry bits the visibility filter reads by dense id (array reads
 * instead of string-keyed lookups per candidate). The index stores them; the
 * directory keeps `Locked` and `InPublicRoom` current.
 */
export const EntryFlag = {
  Local: 1,
  /** A local user the homeserver has locked. */
  Locked: 2,
  /** In Synapse's users_in_public_rooms. */
  InPublicRoom: 4,
} as const

/** What the index keeps about one directory entry, by dense id. */
export interface IndexedUser {
  userId: UserId
  /** The profile as indexed (what a search returns). */
  displayName: string | null
  avatarUrl: string | null
  document: UserDocument
  hasDisplayName: boolean
  hasAvatar: boolean
  isLocal: boolean
  /**
   * With an opt-in tier on, the document each tier matches (index 0 is
   * `document`, see `MatchTiers`); undefined with Synapse's single tier.
   */
  tierDocuments: readonly UserDocument[] | undefined
}

/**
 * The searchable side of the directory: every entry gets a dense numeric id
 * (reused after removal), its PostgreSQL document (lexemes, positions,
 * weights) precomputed at ingest, and its lexemes filed in prefix
 * postings (`prefix-postings.ts`) so every entry with a lexeme starting with
 * a given prefix can be enumerated without scoring. With an opt-in tier on, the lexemes of the
 * tier documents (folded lexemes, suffixes) are indexed too, so one
 * lookup finds the candidates of every tier.
 */
export class SearchIndex {
  readonly #postings: PrefixPostings = new FlexPrefixPostings()
  readonly #idByUser = new Map<UserId, number>()
  readonly #users: (IndexedUser | undefined)[] = []
  readonly #freeIds: number[] = []
  /** The match tiers every entry is indexed for. */
  readonly tiers: MatchTiers
  #version = 0
  #changedAt = new Uint32Array(1024)
  #flags = new Uint8Array(1024)
  #tails = new Uint32Array(1024 * TAIL_WORDS)
  #changeLog: number[] = []
  #changeLogBase = 0
  /** Cached rankings of this index's queries (see `RankedList`). */
  readonly rankedLists: RankedListCache

  /**
   * `options` turns on the opt-in tiers (default: Synapse's single tier).
   * Cost with `infixMatch`: every suffix of a lexeme becomes a posted
   * term, whose forward tokenizer stores each of its (at most 6) prefixes,
   * so a lexeme costs up to 6 keys per character (see `UserDirectoryOptions`).
   */
  constructor(options: MatchOptions = { accentInsensitive: false, infixMatch: false }, rankedListCapacity?: number, rankedListBytes?: number) {
    this.rankedLists = new RankedListCache(rankedListCapacity, rankedListBytes)
    this.tiers = matchTiers(options)
  }

  /** Number of indexed entries. */
  get size(): number {
    return this.#idByUser.size
  }

  /** Length of the dense id space (ids are below it). */
  get idLimit(): number {
    return this.#users.length
  }

  /** Counts changes: every upsert and removal increments it. */
  get version(): number {
    return this.#version
  }

  /** The version at which the entry behind `id` last changed (0: never since the index was built). */
  changedAt(id: number): number {
    return id < this.#changedAt.length ? this.#changedAt[id] : 0
  }

  /**
   * The ids changed after `version` (with repeats), or undefined when the log
   * no longer reaches back that far.
   */
  changesSince(version: number): readonly number[] | undefined {
    if (version < this.#changeLogBase) return undefined
    return this.#changeLog.slice(version - this.#changeLogBase)
  }

  /** The dense id of an indexed user, or -1. */
  idOf(userId: UserId): number {
    return this.#idByUser.get(userId) ?? -1
  }

  /** The `EntryFlag` bits of a dense id (0 for a free id). */
  flags(id: number): number {
    return this.#flags[id]
  }

  /** Sets or clears one `EntryFlag` of an indexed user (no-op for others). Does not touch rankings. */
  setFlag(userId: UserId, flag: number, on: boolean): void {
    const id = this.#idByUser.get(userId)
    if (id === undefined) return
    this.#flags[id] = on ? this.#flags[id] | flag : this.#flags[id] & ~flag
  }

  /**
   * Per dense id, `TAIL_WORDS` words of `addTailRequirement` bits: those of
   * every lexeme of the entry (in every tier document) longer than the
   * indexed keys, from `TAIL_WORDS * id` (zeros for a free id). Borrowed:
   * read it, never write it, and read it again after the index changes.
   */
  get tails(): Uint32Array {
    return this.#tails
  }

  /** The entry behind a dense id, or undefined for a free id. */
  user(id: number): IndexedUser | undefined {
    return this.#users[id]
  }

  /**
   * Adds or replaces the entry of `userId`, with its `EntryFlag`s (`Local`
   * is set from `isLocal`). Cost: building the document and filing its
   * terms; replacing an entry whose lexemes changed first takes the old
   * terms out, an indexOf per key in lists of every entry sharing it.
   */
  upsert(userId: UserId, localpart: string, serverName: string, displayName: string | null, avatarUrl: string | null, isLocal: boolean, flags = 0): void {
    const document = buildUserDocument(localpart, serverName, displayName)
    const tierDocuments = this.tiers.isFolded.length > 1 ? this.tiers.documentsOf(document) : undefined
    const entry: IndexedUser = { userId, displayName, avatarUrl, document, hasDisplayName: displayName !== null, hasAvatar: avatarUrl !== null, isLocal, tierDocuments }
    let id = this.#idByUser.get(userId)
    if (id === undefined) {
      id = this.#freeIds.pop() ?? this.#users.length
      this.#idByUser.set(userId, id)
    }
    // Undefined for a new or reused id; a replaced entry with the same lexemes keeps its terms.
    const before = this.#users[id]
    this.#users[id] = entry
    this.#markChanged(id)
    this.#flags[id] = isLocal ? flags | EntryFlag.Local : flags & ~EntryFlag.Local
    if (before !== undefined) {
      if (sameLexemes(before.document, document)) return
      this.#postings.remove(id, before.tierDocuments ?? [before.document])
    }
    const documents = tierDocuments ?? [document]
    this.#setTails(id, documents)
    this.#postings.add(id, documents)
  }

  /** Removes the entry of `userId`, if indexed. */
  remove(userId: UserId): void {
    const id = this.#idByUser.get(userId)
    if (id === undefined) return
    this.#idByUser.delete(userId)
    const entry = this.#users[id] as IndexedUser
    this.#postings.remove(id, entry.tierDocuments ?? [entry.document])
    this.#users[id] = undefined
    this.#freeIds.push(id)
    this.#markChanged(id)
    this.#flags[id] = 0
    this.#tails.fill(0, TAIL_WORDS * id, TAIL_WORDS * (id + 1))
  }

  #setTails(id: number, documents: readonly UserDocument[]): void {
    const tails = this.#tails
    const at = TAIL_WORDS * id
    tails.fill(0, at, at + TAIL_WORDS)
    for (const document of documents) for (const lexeme of document.lexemes) addTailBits(lexeme, tails, at)
  }

  #markChanged(id: number): void {
    if (id >= this.#changedAt.length) {
      const length = Math.max(id + 1, this.#changedAt.length * 2)
      this.#changedAt = grown(this.#changedAt, length)
      this.#flags = grown(this.#flags, length)
      this.#tails = grown(this.#tails, TAIL_WORDS * length)
    }
    this.#changedAt[id] = ++this.#version
    this.#changeLog.push(id)
    if (this.#changeLog.length > 2 * CHANGE_LOG_KEEP) {
      this.#changeLog.splice(0, CHANGE_LOG_KEEP)
      this.#changeLogBase += CHANGE_LOG_KEEP
    }
  }

  /**
   * The ids of every entry with a lexeme starting with `prefix`'s first
   * indexed characters (a superset when `prefix` is longer). Borrowed (see
   * `PrefixPostings.candidates`): read the arrays, never sort or mutate them.
   */
  candidates(prefix: string): PostingLists {
    return this.#postings.candidates(prefix)
  }
}

function sameLexemes(a: UserDocument, b: UserDocument): boolean {
  if (a.lexemes.length !== b.lexemes.length) return false
  for (let i = 0; i < a.lexemes.length; i++) if (a.lexemes[i] !== b.lexemes[i]) return false
  return true
}
