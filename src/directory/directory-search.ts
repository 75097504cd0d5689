import type { Logger } from 'pino'
import { UserDirectoryError } from '../errors.js'
import { localpartOf, parseUserId, serverNameOf } from '../ids/index.js'
import type { UserId } from '../ids/index.js'
import type { Profile } from '../profiles/index.js'
import { EntryFlag, SearchIndex, SearchWarmer, Searcher, buildSearchQuery } from '../search/index.js'
import type { IndexedUser, SearchQuery, SearchWarmReport } from '../search/index.js'
import { parseQueryWords } from '../text/index.js'
import { VisibilityFilter } from '../visibility/index.js'
import { describeValue } from '../describe-value.js'
import type { Clock, DirectoryFlags, SpamChecker } from './options.js'
import { dropSpam } from './drop-spam.js'
import type { SearchResultItem, SearchResults } from './types.js'
import type { CommitListener, DirectoryFacts } from './unit-of-work.js'

// Recent search terms kept parsed (terms up to 256 characters).
const MAX_CACHED_QUERIES = 4096
const MAX_CACHED_TERM_LENGTH = 256

/**
 * The search side of a directory: the search index of the entries (with
 * their visibility flags), the searcher and its ranked-list cache, the
 * visibility filter, the warmer of frequent queries, the parsed-query cache
 * and the spam checkers. Fed by the unit of work: the entries each commit
 * changed; and by the fact writer and the unit of work: the users whose
 * search bits (Locked, InPublicRoom) may have changed, set from the facts
 * at the next commit, the one place they change.
 * @internal
 */
export class DirectorySearch implements CommitListener {
  #index: SearchIndex
  readonly #searcher = new Searcher()
  readonly #filter = new VisibilityFilter()
  readonly #warmer: SearchWarmer
  readonly #queries = new Map<string, SearchQuery>()
  #spamCheckers: SpamChecker[]
  readonly #options: DirectoryFlags
  readonly #facts: DirectoryFacts
  // Users whose search bits may have changed since the last commit.
  readonly #flagsToSet = new Set<UserId>()

  constructor(facts: DirectoryFacts, options: DirectoryFlags, spamCheckers: SpamChecker[], clock: Clock, logger: Logger) {
    this.#facts = facts
    this.#options = options
    this.#spamCheckers = spamCheckers
    this.#index = this.newIndex()
    this.#warmer = new SearchWarmer({ index: () => this.#index, searcher: this.#searcher, preferLocal: options.preferLocalUsers }, clock, logger.child({ part: 'warmer' }))
  }

  /** Entries in the search index. */
  get size(): number {
    return this.#index.size
  }

  /** These users' lock or public-room membership may have changed: their search bits follow the facts at the next commit. */
  noteFlags(users: Iterable<UserId>): void {
    for (const userId of users) this.#flagsToSet.add(userId)
  }

  setSpamCheckers(checkers: SpamChecker[]): void {
    this.#spamCheckers = checkers
  }

  /** See `UserDirectory.search`. */
  async search(requesterId: string, term: string, limit: number, explain: boolean): Promise<SearchResults> {
    const requester = parseUserId(requesterId)
    if (typeof term !== 'string') throw new UserDirectoryError('M_INVALID_PARAM', `search term must be a string, got ${typeof term}`)
    if (!Number.isSafeInteger(limit) || limit < 0) throw new UserDirectoryError('M_INVALID_PARAM', `limit must be a non-negative integer, got ${describeValue(limit)}`)
    if (!this.#options.enabled) return { limited: false, results: [] }
    const query = this.#parseQuery(term)
    const filter = this.#filter.reset(requester, this.#options, this.#index, this.#facts.visibility)
    const page = this.#searcher.search(this.#index, query, limit, filter, this.#options.preferLocalUsers)
    const results: SearchResultItem[] = []
    for (const id of page.ids) {
      const user = this.#index.user(id) as IndexedUser
      const item: SearchResultItem = { user_id: user.userId, display_name: user.displayName, avatar_url: user.avatarUrl }
      if (explain) item.score = page.scores[id]
      results.push(item)
    }
    return { limited: page.total > limit, results: await dropSpam(results, this.#spamCheckers, requester) }
  }

  /**
   * Drops the cached rankings of the queries searched so far (see
   * `RankedList`), and with `pinned` those of the frequent prefixes too
   * (they are ranked again by their next search, and kept only after the
   * next warm-up). Never needed for correct answers; benchmarks call it to
   * measure searches whose ranking is not cached yet.
   */
  clearCache(pinned: boolean): void {
    if (pinned) {
      this.#warmer.cancel()
      this.#searcher.unpinAll()
    }
    this.#searcher.clearRankings()
    this.#queries.clear()
  }

  /**
   * Ranks the frequent one-lexeme queries ahead of their first search (the
   * `warmSearch` option), in slices between other work, and resolves when
   * done. Joins a warm-up already running (one starts after `open()` from a
   * store and after `rebuild()`), else plans and runs a new one.
   */
  warm(): Promise<SearchWarmReport> {
    return this.#warmer.running ?? this.#warmer.warm()
  }

  /** Stops a warm-up in progress (at close). */
  cancel(): void {
    this.#warmer.cancel()
  }

  // The query of a search term, from a small LRU of recent terms (parsing
  // runs ICU word breaking and PostgreSQL's parser: several µs).
  #parseQuery(term: string): SearchQuery {
    if (term.length > MAX_CACHED_TERM_LENGTH) return buildSearchQuery(parseQueryWords(term))
    let query = this.#queries.get(term)
    if (query !== undefined) {
      this.#queries.delete(term)
    } else {
      query = buildSearchQuery(parseQueryWords(term))
      if (this.#queries.size >= MAX_CACHED_QUERIES) this.#queries.delete(this.#queries.keys().next().value as string)
    }
    this.#queries.set(term, query)
    return query
  }

  // ---- keeping the index up to date ---------------------------------------

  committed(changedEntries: readonly UserId[], rebuildIndex: boolean): void {
    if (rebuildIndex) {
      this.#flagsToSet.clear()
      this.rebuildIndex()
      return
    }
    const { entries, registry, visibility } = this.#facts
    for (const userId of changedEntries) {
      const entry = entries.get(userId)
      if (entry === undefined) this.#index.remove(userId)
      else this.#indexEntry(userId, entry)
    }
    // The one place the search bits follow the facts (besides indexing an entry whole).
    for (const userId of this.#flagsToSet) {
      this.#index.setFlag(userId, EntryFlag.Locked, registry.isLocked(userId))
      this.#index.setFlag(userId, EntryFlag.InPublicRoom, visibility.isInPublicRoom(userId))
    }
    this.#flagsToSet.clear()
    if (this.#options.warmSearch && changedEntries.length > 0) this.#warmer.noteChange()
  }

  newIndex(): SearchIndex {
    return new SearchIndex({ accentInsensitive: this.#options.accentInsensitive, infixMatch: this.#options.infixMatch })
  }

  // A new search index of every entry, and a warm-up of it.
  rebuildIndex(): void {
    this.#index = this.newIndex()
    for (const [userId, entry] of this.#facts.entries.entries()) this.#indexEntry(userId, entry)
    this.#rewarm()
  }

  /** Swaps in an index a rebuild built from the facts (their bits included). */
  replace(index: SearchIndex): void {
    this.#index = index
    this.#rewarm()
  }

  #rewarm(): void {
    if (this.#options.warmSearch) void this.#warmer.warm()
    else this.#warmer.cancel()
  }

  #indexEntry(userId: UserId, entry: Profile): void {
    const { registry, visibility } = this.#facts
    const flags = (registry.isLocked(userId) ? EntryFlag.Locked : 0) | (visibility.isInPublicRoom(userId) ? EntryFlag.InPublicRoom : 0)
    this.#index.upsert({ userId, localpart: localpartOf(userId), serverName: serverNameOf(userId), displayName: entry.displayName, avatarUrl: entry.avatarUrl, isLocal: registry.isLocal(userId), flags })
  }
}
