import { UserDirectoryError } from '../errors.js'
import { isOnServer } from '../ids/index.js'
import type { ServerName, UserId } from '../ids/index.js'

/** An application service registration, as far as the directory cares. */
export interface AppserviceRegistration {
  /** The registration's id, for messages. */
  id: string
  /** The appservice's sender (`@sender_localpart:server`); excluded from the directory. */
  sender: string
  /**
   * Users in an **exclusive** one of these namespaces are excluded from the
   * directory; a non-exclusive namespace excludes no one (Synapse's
   * `get_if_app_services_interested_in_user` matches exclusive namespaces only).
   */
  namespaces?: { users?: { regex: string; exclusive?: boolean }[] }
}

/** What the homeserver says about one local user. */
export interface LocalUser {
  /** `"support"` excludes the user; other values (`"bot"`, …) and null do not. */
  userType: string | null
  deactivated: boolean
  locked: boolean
}

/**
 * The local users the homeserver has registered and the rules that exclude
 * some of them from the directory (SPEC §1): support users, deactivated
 * users, unknown users, appservice senders and users in an appservice's
 * namespace.
 */
export class UserRegistry {
  readonly serverName: ServerName
  #users = new Map<UserId, LocalUser>()
  #senders: Set<string>
  #namespaces: RegExp[]

  constructor(serverName: ServerName, appservices: readonly AppserviceRegistration[]) {
    this.serverName = serverName
    this.#senders = new Set(appservices.map((as) => as.sender))
    this.#namespaces = appservices.flatMap((as) =>
      (as.namespaces?.users ?? []).flatMap(({ regex, exclusive }) => {
        try {
          // Synapse uses Python's re.match: anchored at the start only. Every regex is checked; only exclusive ones exclude.
          const compiled = new RegExp(`^(?:${regex})`, 'u')
          return exclusive === true ? [compiled] : []
        } catch (cause) {
          throw new UserDirectoryError('M_INVALID_PARAM', `appservice ${JSON.stringify(as.id)} has an invalid users regex ${JSON.stringify(regex)}`, { cause })
        }
      }),
    )
  }

  /** Whether the user id belongs to this homeserver (see `isOnServer`). */
  isLocal(userId: UserId): boolean {
    return isOnServer(userId, this.serverName)
  }

  get(userId: UserId): LocalUser | undefined {
    return this.#users.get(userId)
  }

  set(userId: UserId, user: LocalUser): void {
    this.#users.set(userId, user)
  }

  /** Forgets one user (undoing their registration). */
  delete(userId: UserId): void {
    this.#users.delete(userId)
  }

  /** Forgets every user (before reloading from a store). */
  clear(): void {
    this.#users.clear()
  }

  /** Takes `users` (a store's loaded Map) as its own, in place of the users it had. */
  adopt(users: Map<UserId, LocalUser>): void {
    this.#users = users
  }

  entries(): IterableIterator<[UserId, LocalUser]> {
    return this.#users.entries()
  }

  get size(): number {
    return this.#users.size
  }

  /** Whether a user appears in the directory at all: remote users always, local users unless excluded. */
  isIncluded(userId: UserId): boolean {
    if (!this.isLocal(userId)) return true
    return this.isIncludedLocal(userId, this.#users.get(userId))
  }

  /**
   * `isIncluded` for a local user whose record the caller already holds
   * (from `entries()` or `get`), without looking it up again: a walk over
   * every user at open saves a lookup in a million-key Map per user.
   */
  isIncludedLocal(userId: UserId, user: LocalUser | undefined): boolean {
    if (user === undefined || user.deactivated || user.userType === 'support') return false
    return !this.isAppserviceUser(userId)
  }

  /** Whether the user is an appservice sender or in an appservice's users namespace. */
  isAppserviceUser(userId: UserId): boolean {
    if (this.#senders.has(userId)) return true
    for (const regex of this.#namespaces) if (regex.test(userId)) return true
    return false
  }

  /** Locked users stay in the directory but are hidden from search unless `showLockedUsers`. */
  isLocked(userId: UserId): boolean {
    return this.#users.get(userId)?.locked === true
  }
}
