import type { Logger } from 'pino'
import type { Clock } from '../clock.js'
import { UserDirectoryError } from '../errors.js'
import { describeValue } from '../describe-value.js'
import type { AppserviceRegistration } from '../visibility/index.js'

export type { Clock } from '../clock.js'

// The options of a directory and their checks: each option's meaning and
// default, and the checks `UserDirectory.open` and `setSpamCheckers` run.

/** A public profile as the HTTP API shows it. */
export interface DirectoryProfile {
  user_id: string
  display_name: string | null
  avatar_url: string | null
}

/** `true` drops the result from the page (Synapse's `check_username_for_spam`). */
export type SpamChecker = (profile: DirectoryProfile, requesterId: string) => boolean | Promise<boolean>

/** What a profile fetch returns for a remote user (SPEC §5). */
export interface FetchedProfile {
  displayname?: unknown
  avatar_url?: unknown
}

/** Fetches a remote user's global profile; throws `ProfileFetchError` for "not found" or "in back-off". */
export type ProfileFetcher = (userId: string) => Promise<FetchedProfile>

/** Options of {@link UserDirectory.open}. Synapse's `user_directory` options keep their meaning. */
export interface UserDirectoryOptions {
  /** This homeserver's name; user ids ending in `:serverName` are local. Required. */
  serverName: string
  /** LMDB directory for durable state. Default: none (memory only). */
  path?: string
  /** Search every directory entry, not only users sharing a room (Synapse `search_all_users`). Default false. */
  searchAllUsers?: boolean
  /** Double the score of local users (Synapse `prefer_local_users`). Default false. */
  preferLocalUsers?: boolean
  /** Return local users only (Synapse `exclude_remote_users`). Default false. */
  excludeRemoteUsers?: boolean
  /** Return locked users too (Synapse `show_locked_users`). Default false. */
  showLockedUsers?: boolean
  /** `false` makes every search return no results (Synapse `enabled`). Default true. */
  enabled?: boolean
  /**
   * Beyond Synapse (issue #1523): also match names whose accents differ from
   * the term's, so `amelie` finds `Amélie` and `amélie` finds `Amelie`. Both
   * sides are folded: NFD, combining diacritics (U+0300–U+036F) dropped,
   * `ı ł ø đ ħ ß æ œ` → `i l o d h ss ae oe`, NFC. This covers Turkish
   * dotted and dotless i (`İ` lowercases to i + U+0307, whose dot is
   * dropped), so `iiiii` finds `İİİİİ` and `ıııı` and `iiii` find each other;
   * it is not a separate option because the same fold does both.
   *
   * Ranking rule: a user that matches without folding is in tier 0 and is
   * scored exactly as Synapse scores them; a user that matches only after
   * folding is in the next tier, scored by Synapse's formula on the folded
   * document and query. Every tier-0 match ranks above every folded one,
   * whatever the scores; within a tier the usual order applies.
   *
   * Default false (Synapse's results, byte for byte). Cost: users whose
   * lexemes fold differently keep a second document, and the folded
   * lexemes are indexed as extra FlexSearch terms (ASCII names cost nothing
   * extra); a query with accents looks up two candidate lists.
   */
  accentInsensitive?: boolean
  /**
   * Beyond Synapse (issue #13807): also match a word inside a lexeme, so
   * `lex` finds `alex` and `smith` finds `@jsmith:example.org`. An infix
   * must start within the first 32 UTF-16 code units of its lexeme.
   *
   * Ranking rule: infix-only matches rank below every prefix match (folded
   * ones included, with `accentInsensitive`), in their own tier scored by
   * Synapse's formula on the document extended with each lexeme's suffixes
   * at the lexeme's positions (so an infix that ends its lexeme, `lex` in
   * `alex`, scores as an exact match). With `accentInsensitive` too, the
   * tiers are: prefix, folded prefix, infix, folded infix.
   *
   * Default false. Cost: each user keeps a second document holding every
   * suffix of their lexemes (about 35 strings per user on the snapshot
   * corpus), and each suffix becomes a FlexSearch term (cut to 6 characters)
   * whose prefixes are all stored: several times the default index's heap
   * and mean query time (bench/experiments/match-options.ts; the README
   * gives its figures). Short terms match, and
   * rank, many more users.
   */
  infixMatch?: boolean
  /**
   * Rank the frequent one-lexeme queries (prefixes about 1,000 or more
   * entries match: first keystrokes such as `b` or `ma`) in the background
   * after `open()` from a store, after `rebuild()`, and when the directory
   * has doubled since, so their first search walks a ready ranking instead
   * of scoring up to the whole directory. Slices of a few ms between other
   * work; ~27 MB at 1M entries (bench/RESULTS.md). Default true.
   */
  warmSearch?: boolean
  /** Registered application services; their senders and user namespaces are excluded. Default none. */
  appservices?: AppserviceRegistration[]
  /** Time source for stale-profile scheduling. Default: the system clock and timers. */
  clock?: Clock
  /** Fetches remote profiles for users seen in private rooms. Default: none (stale users wait). */
  profileFetcher?: ProfileFetcher
  /** Run on each returned page; `true` drops a result. Default none. */
  spamCheckers?: SpamChecker[]
  /** pino logger. Default: silent. */
  logger?: Logger
}

/** The defaults of the boolean options. */
export const defaultOptions = Object.freeze({
  searchAllUsers: false,
  preferLocalUsers: false,
  excludeRemoteUsers: false,
  showLockedUsers: false,
  enabled: true,
  accentInsensitive: false,
  infixMatch: false,
  warmSearch: true,
})

/** The boolean options, each set. */
export type DirectoryFlags = Required<Pick<UserDirectoryOptions, keyof typeof defaultOptions>>

/** Checks what `UserDirectory.open` is given before anything is opened: an object, and a `path` if any. */
export function checkOpenOptions(options: UserDirectoryOptions): void {
  if (typeof options !== 'object' || options === null) throw new UserDirectoryError('M_INVALID_PARAM', 'options must be an object')
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) {
    throw new UserDirectoryError('M_INVALID_PARAM', `path must be a directory path, got ${describeValue(options.path)}`)
  }
}

/** The boolean options with their defaults filled in; throws on a value that is not a boolean. */
export function directoryFlags(options: UserDirectoryOptions): DirectoryFlags {
  const flags: DirectoryFlags = { ...defaultOptions }
  for (const key of Object.keys(defaultOptions) as (keyof typeof defaultOptions)[]) {
    const value = options[key]
    if (value === undefined) continue
    if (typeof value !== 'boolean') throw new UserDirectoryError('M_INVALID_PARAM', `option ${key} must be a boolean, got ${describeValue(value)}`)
    flags[key] = value
  }
  return flags
}

/** The profile fetcher option, checked. */
export function profileFetcherOption(options: UserDirectoryOptions): ProfileFetcher | undefined {
  const fetcher = options.profileFetcher
  if (fetcher !== undefined && typeof fetcher !== 'function') throw new UserDirectoryError('M_INVALID_PARAM', 'profileFetcher must be a function')
  return fetcher
}

/** A copy of the spam checkers, checked (`setSpamCheckers`). */
export function checkSpamCheckers(checkers: unknown): SpamChecker[] {
  if (!Array.isArray(checkers) || checkers.some((c) => typeof c !== 'function')) {
    throw new UserDirectoryError('M_INVALID_PARAM', 'spam checkers must be an array of functions')
  }
  return [...(checkers as SpamChecker[])]
}
