import type { UserId } from '../ids/index.js'

/** The mode options that decide who a search may return (see `UserDirectoryOptions`). */
export interface VisibilityModes {
  /** Everyone but the requester, not only public-room members and private-room sharers. */
  searchAllUsers: boolean
  /** Local users only. */
  excludeRemoteUsers: boolean
  /** Locked users too. */
  showLockedUsers: boolean
}

/**
 * What the filter asks about the entries a search walks, by dense id
 * (`SearchIndex` answers from its per-entry bits: array reads instead of
 * string-keyed lookups per candidate).
 */
export interface CandidateEntries {
  /** The dense id of a user's entry, or -1. */
  idOf(userId: UserId): number
  /** Dense ids are below it. */
  readonly idLimit: number
  /** Whether the entry is a local user. */
  isLocal(id: number): boolean
  /** Whether the entry is a local user the homeserver has locked. */
  isLocked(id: number): boolean
  /** Whether the entry is in Synapse's users_in_public_rooms. */
  isInPublicRoom(id: number): boolean
}

/** What the filter asks about private rooms (`RoomVisibility` answers). */
export interface PrivateRoomSharing {
  /** Whether `requester` shares a private room the server is in with `other`. */
  sharesPrivateRoom(requester: UserId, other: UserId): boolean
  /** Every member of the requester's private rooms (the server in them), once per shared room. */
  forEachPrivateSharerCandidate(requester: UserId, visit: (userId: UserId) => void): void
}

// Private-room checks answered by intersecting room sets before the filter
// stamps every co-member of the requester's private rooms instead.
const MAX_INTERSECTIONS = 16

/**
 * Who `requester` may find (SPEC §3): users in a public room or sharing a
 * private room with them (everyone but themself with `searchAllUsers`),
 * local users only with `excludeRemoteUsers`, locked users only with
 * `showLockedUsers`. Local, locked and in-a-public-room are asked of the
 * entries by dense id; "shares a private room" is answered by intersecting
 * the two users' room sets for the first few candidates outside public
 * rooms, then by stamping every co-member of the requester's private rooms
 * once (the sizes of those rooms), after which each candidate costs array
 * reads. No allocation per candidate. One instance per directory, `reset`
 * per search; it is the searcher's `CandidateFilter`.
 */
export class VisibilityFilter {
  #requester = '' as UserId
  #requesterId = -1
  #modes: VisibilityModes = { searchAllUsers: false, excludeRemoteUsers: false, showLockedUsers: false }
  #entries: CandidateEntries | undefined
  #sharing: PrivateRoomSharing | undefined
  #sharers = new Uint32Array(0)
  #generation = 0
  #stamped = false
  #intersections = 0

  reset(requester: UserId, modes: VisibilityModes, entries: CandidateEntries, sharing: PrivateRoomSharing): this {
    this.#requester = requester
    this.#requesterId = entries.idOf(requester)
    this.#modes = modes
    this.#entries = entries
    this.#sharing = sharing
    this.#stamped = false
    this.#intersections = 0
    return this
  }

  /** Whether the requester may see the entry behind dense id `id` (`candidate` is that entry). */
  accepts(id: number, candidate: { readonly userId: UserId }): boolean {
    const entries = this.#entries as CandidateEntries
    const { excludeRemoteUsers, showLockedUsers, searchAllUsers } = this.#modes
    if (excludeRemoteUsers && !entries.isLocal(id)) return false
    if (!showLockedUsers && entries.isLocked(id)) return false
    if (searchAllUsers) return id !== this.#requesterId
    if (entries.isInPublicRoom(id)) return true
    if (!this.#stamped) {
      // A few checks intersect room sets; a walk needing more stamps the co-members once.
      if (this.#intersections++ < MAX_INTERSECTIONS) return (this.#sharing as PrivateRoomSharing).sharesPrivateRoom(this.#requester, candidate.userId)
      this.#stampSharers(entries)
    }
    return id < this.#sharers.length && this.#sharers[id] === this.#generation
  }

  #stampSharers(entries: CandidateEntries): void {
    this.#stamped = true
    if (this.#sharers.length < entries.idLimit) this.#sharers = new Uint32Array(Math.max(entries.idLimit, this.#sharers.length * 2, 1024))
    if (++this.#generation === 0xffffffff) {
      this.#sharers.fill(0)
      this.#generation = 1
    }
    const sharers = this.#sharers
    const generation = this.#generation
    ;(this.#sharing as PrivateRoomSharing).forEachPrivateSharerCandidate(this.#requester, (userId) => {
      const id = entries.idOf(userId)
      if (id >= 0) sharers[id] = generation
    })
  }
}
