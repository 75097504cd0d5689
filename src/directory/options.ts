import type { Logger } from 'pino'
import type { AppserviceRegistration } from '../visibility/index.js'

/** Time source and timers; injectable so tests can advance time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  setTimeout(callback: () => void, delayMs: number): unknown
  clearTimeout(handle: unknown): void
}

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
})

/** The system clock. */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, delayMs: number): unknown => {
    const handle = setTimeout(callback, delayMs)
    handle.unref()
    return handle
  },
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
})
