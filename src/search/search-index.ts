import flexsearch from 'flexsearch'
import type { UserId } from '../ids/index.js'
import { grown } from './grow.js'
import { matchTiers } from './match-tiers.js'
import type { MatchOptions, MatchTiers } from './match-tiers.js'
import { RankedListCache } from './ranked-lists.js'
import { buildUserDocument } from './ranking.js'
import type { UserDocument } from './ranking.js'

// Only this many leading characters of a lexeme are indexed: FlexSearch's
// forward tokenizer stores every prefix of every term, and the long
// prefixes are nearly all unique, each costing a key and an array. Longer
// query lexemes are looked up by their first characters and checked exactly
// against the document afterwards (the scorer does that check anyway).
// Measured at 1M bench users: 24 characters cost 1,115 B of heap per user
// and 29 s to add everyone; 6 characters 426 B and 10 s, while the bench
// query mix's candidates grow by 1.8% on average
// (bench/experiments/index-cap.ts --size 1m, FlexSearch's own `add`). The
// infix tier's suffixes are cut the same way.
const MAX_INDEXED_PREFIX = 6
// Changed ids kept for patching cached rankings; older lists are rebuilt.
const CHANGE_LOG_KEEP = 1 << 15
// Terms whose keys' lists are remembered for adding (see `#index`); the
// table starts afresh beyond this (1M bench users have ~27k terms).
const TERM_LISTS_MAX = 1 << 17

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

interface FlexIndex {
  search(query: string, options: { resolve: false }): { result: number[][] }
  /** Its forward index: each key (a term's prefix) → id lists by resolution slot (one slot here). */
  map: Map<string, number[][]>
}

/**
 * The searchable side of the directory: every entry gets a dense numeric id
 * (reused after removal), its PostgreSQL document (lexemes, positions,
 * weights) precomputed at ingest, and its lexemes in a FlexSearch forward
 * index so every entry with a lexeme starting with a given prefix can be
 * enumerated without scoring. With an opt-in tier on, the lexemes of the
 * tier documents (folded lexemes, suffixes) are indexed too, so one
 * lookup finds the candidates of every tier.
 */
export class SearchIndex {
  readonly #flex: FlexIndex
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
  // term → the lists of its keys in FlexSearch's map, valid while no key is dropped.
  readonly #listsOfTerm = new Map<string, number[][]>()
  /** Cached rankings of this index's queries (see `RankedList`). */
  readonly rankedLists: RankedListCache

  /**
   * `options` turns on the opt-in tiers (default: Synapse's single tier).
   * Cost with `infixMatch`: every suffix of a lexeme becomes a FlexSearch
   * term, whose forward tokenizer stores each of its (at most 6) prefixes,
   * so a lexeme costs up to 6 keys per character (see `UserDirectoryOptions`).
   */
  constructor(options: MatchOptions = { accentInsensitive: false, infixMatch: false }, rankedListCapacity?: number, rankedListBytes?: number) {
    this.rankedLists = new RankedListCache(rankedListCapacity, rankedListBytes)
    this.tiers = matchTiers(options)
    const { Index } = flexsearch as unknown as { Index: new (options: object) => FlexIndex }
    // Queries go through FlexSearch's forward index (`candidates`); entries
    // are filed into and out of it by this class (`#index`, `#unindex`),
    // under exactly the keys FlexSearch's own `add` would use (every prefix
    // of every term, an id once per key, appended; test/search checks the
    // lists against `add`'s), which is faster than `add` because each term's
    // key lists are remembered (bench/README.md's table gives what it did to
    // rebuild and reopen); and without `fastupdate` or `add`, FlexSearch's
    // register of ids (a Set of every entry) is unused.
    this.#flex = new Index({
      tokenize: 'forward',
      resolution: 1,
      fastupdate: false,
      // Our lexemes are the terms: the default encoder would fold '99' to '9' and split 'alice.smith'.
      encode: (text: string) => text.split(' '),
    })
    if (!(this.#flex.map instanceof Map)) {
      throw new Error('SearchIndex: this FlexSearch build does not keep its forward index as `map` (a Map), which adding and removing rely on; use the version in package-lock.json')
    }
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
      this.#unindex(id, before)
    }
    const documents = tierDocuments ?? [document]
    this.#setTails(id, documents)
    this.#index(id, documents)
  }

  /** Removes the entry of `userId`, if indexed. */
  remove(userId: UserId): void {
    const id = this.#idByUser.get(userId)
    if (id === undefined) return
    this.#idByUser.delete(userId)
    this.#unindex(id, this.#users[id] as IndexedUser)
    this.#users[id] = undefined
    this.#freeIds.push(id)
    this.#markChanged(id)
    this.#flags[id] = 0
    this.#tails.fill(0, TAIL_WORDS * id, TAIL_WORDS * (id + 1))
  }

  // Appends `id` to the list of every key of the documents' terms (each
  // term's prefixes, FlexSearch's forward keys), once per key. A term's
  // lists are looked up once and remembered: terms recur (~27k among 1M
  // bench users), and each lookup of a key slices and hashes a new string.
  #index(id: number, documents: readonly UserDocument[]): void {
    const map = this.#flex.map
    for (const term of termSet(documents)) {
      let lists = this.#listsOfTerm.get(term)
      if (lists === undefined) {
        lists = []
        for (const key of forwardKeysOf(term)) {
          let slots = map.get(key)
          if (slots === undefined) map.set(key, (slots = [[]]))
          lists.push(slots[0])
        }
        if (this.#listsOfTerm.size >= TERM_LISTS_MAX) this.#listsOfTerm.clear()
        this.#listsOfTerm.set(term, lists)
      }
      // A key two terms share (`al` of `alice` and `alan`) lists the id once.
      for (const list of lists) if (list[list.length - 1] !== id) list.push(id)
    }
  }

  // Takes `id` out of the lists of every key its entry's terms were filed
  // under, dropping keys left empty (and with them the remembered lists,
  // which may hold a dropped one). Cost: an indexOf per key, as FlexSearch's
  // own fast update.
  #unindex(id: number, entry: IndexedUser): void {
    const map = this.#flex.map
    for (const key of forwardKeys(entry.tierDocuments ?? [entry.document])) {
      const list = map.get(key)?.[0]
      if (list === undefined) continue
      const at = list[list.length - 1] === id ? list.length - 1 : list.indexOf(id)
      if (at < 0) continue
      if (at === list.length - 1) list.pop()
      else list.splice(at, 1)
      if (list.length === 0) {
        map.delete(key)
        this.#listsOfTerm.clear()
      }
    }
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
   * indexed characters (a superset when `prefix` is longer). Borrowed: the
   * arrays are FlexSearch's own; read them, never sort or mutate them.
   */
  candidates(prefix: string): readonly (readonly number[])[] {
    return this.#flex.search(prefix.slice(0, MAX_INDEXED_PREFIX), { resolve: false }).result
  }
}

function termSet(documents: readonly UserDocument[]): Set<string> {
  const terms = new Set<string>()
  for (const document of documents) for (const lexeme of document.lexemes) terms.add(lexeme.slice(0, MAX_INDEXED_PREFIX))
  return terms
}

// The keys FlexSearch's forward tokenizer files a term under: every prefix of it.
function forwardKeysOf(term: string): string[] {
  const keys: string[] = []
  for (let k = 1; k <= term.length; k++) keys.push(term.slice(0, k))
  return keys
}

// The keys of all the documents' terms, each once.
function forwardKeys(documents: readonly UserDocument[]): Set<string> {
  const keys = new Set<string>()
  for (const term of termSet(documents)) for (const key of forwardKeysOf(term)) keys.add(key)
  return keys
}

function sameLexemes(a: UserDocument, b: UserDocument): boolean {
  if (a.lexemes.length !== b.lexemes.length) return false
  for (let i = 0; i < a.lexemes.length; i++) if (a.lexemes[i] !== b.lexemes[i]) return false
  return true
}
