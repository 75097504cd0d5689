import type { UserId } from '../ids/index.js'
import { buildUserDocument } from '../text/index.js'
import type { UserDocument } from '../text/index.js'
import { ChangeLog } from './change-log.js'
import { grown } from './grow.js'
import { matchTiers } from './match-tiers.js'
import type { MatchOptions, MatchTiers } from './match-tiers.js'
import { FlexPrefixPostings } from './prefix-postings.js'
import type { PostingLists, PrefixPostings } from './prefix-postings.js'
import { PrefixSignatures } from './prefix-signature.js'

/**
 * Per-entry bits the visibility filter (`visibility/visibility-filter.ts`)
 * asks about by dense id (array reads instead of string-keyed lookups per
 * candidate). The index stores them; the directory keeps `Locked` and
 * `InPublicRoom` current, applied when a unit of work commits.
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

/** One directory entry as `SearchIndex.upsert` takes it. */
export interface EntryToIndex {
  userId: UserId
  /** `userId`'s localpart and server name (the document's user-id part). */
  localpart: string
  serverName: string
  displayName: string | null
  avatarUrl: string | null
  isLocal: boolean
  /** Its `EntryFlag`s besides `Local`, which `isLocal` sets (default none). */
  flags?: number
}

/**
 * The searchable side of the directory: every entry gets a dense numeric id
 * (reused after removal), its PostgreSQL document (lexemes, positions,
 * weights) precomputed at ingest, and its lexemes filed in prefix
 * postings (`prefix-postings.ts`) so every entry with a lexeme starting with
 * a given prefix can be enumerated without scoring. With an opt-in tier
 * on, the lexemes of the tier documents (folded lexemes, suffixes) are
 * indexed too, so one lookup finds the candidates of every tier.
 */
export class SearchIndex {
  readonly #postings: PrefixPostings = new FlexPrefixPostings()
  readonly #idByUser = new Map<UserId, number>()
  readonly #users: (IndexedUser | undefined)[] = []
  readonly #freeIds: number[] = []
  /** The match tiers every entry is indexed for. */
  readonly tiers: MatchTiers
  readonly #changes = new ChangeLog()
  #flags = new Uint8Array(1024)
  readonly #signatures = new PrefixSignatures()

  /**
   * `options` turns on the opt-in tiers (default: Synapse's single tier).
   * Cost with `infixMatch`: every suffix of a lexeme becomes a term,
   * filed under each of its (at most 6) prefixes (see `PrefixPostings`),
   * so a lexeme costs up to 6 keys per character (see `UserDirectoryOptions`).
   */
  constructor(options: MatchOptions = { accentInsensitive: false, infixMatch: false }) {
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
    return this.#changes.version
  }

  /** The version at which the entry behind `id` last changed (0: never since the index was built). */
  changedAt(id: number): number {
    return this.#changes.changedAt(id)
  }

  /** See `ChangeLog.changesSince`. */
  changesSince(version: number): readonly number[] | undefined {
    return this.#changes.changesSince(version)
  }

  /** The dense id of an indexed user, or -1. */
  idOf(userId: UserId): number {
    return this.#idByUser.get(userId) ?? -1
  }

  /** The `EntryFlag` bits of a dense id (0 for a free id). */
  flags(id: number): number {
    return this.#flags[id]
  }

  /** Whether the entry behind a dense id is local (`EntryFlag.Local`). */
  isLocal(id: number): boolean {
    return (this.#flags[id] & EntryFlag.Local) !== 0
  }

  /** Whether the entry behind a dense id is locked (`EntryFlag.Locked`). */
  isLocked(id: number): boolean {
    return (this.#flags[id] & EntryFlag.Locked) !== 0
  }

  /** Whether the entry behind a dense id is in a public room (`EntryFlag.InPublicRoom`). */
  isInPublicRoom(id: number): boolean {
    return (this.#flags[id] & EntryFlag.InPublicRoom) !== 0
  }

  /** Sets or clears one `EntryFlag` of an indexed user (no-op for others). Does not touch rankings. */
  setFlag(userId: UserId, flag: number, on: boolean): void {
    const id = this.#idByUser.get(userId)
    if (id === undefined) return
    this.#flags[id] = on ? this.#flags[id] | flag : this.#flags[id] & ~flag
  }

  /**
   * Every entry's prefix signature (see `PrefixSignatures`), `SIGNATURE_WORDS`
   * words from `SIGNATURE_WORDS * id`. Borrowed: read it, never write it, and
   * read it again after the index changes.
   */
  get signatures(): Uint32Array {
    return this.#signatures.words
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
  upsert(entryToIndex: EntryToIndex): void {
    const { userId, localpart, serverName, displayName, avatarUrl, isLocal, flags = 0 } = entryToIndex
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
    this.#signatures.set(id, documents)
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
    this.#signatures.clear(id)
  }

  #markChanged(id: number): void {
    if (id >= this.#flags.length) {
      const length = Math.max(id + 1, this.#flags.length * 2)
      this.#flags = grown(this.#flags, length)
      this.#signatures.grow(length)
    }
    this.#changes.markChanged(id)
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
