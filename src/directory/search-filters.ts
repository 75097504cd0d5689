import type { UserId } from '../ids/index.js'
import { EntryFlag } from '../search/index.js'
import type { CandidateFilter, IndexedUser, SearchIndex } from '../search/index.js'
import type { RoomVisibility } from '../visibility/index.js'
import type { DirectoryProfile, SpamChecker } from './options.js'
import type { SearchResultItem } from './types.js'

/** The mode options that decide who a search may return. */
interface VisibilityModes {
  searchAllUsers: boolean
  excludeRemoteUsers: boolean
  showLockedUsers: boolean
}

// Private-room checks answered by intersecting room sets before the filter
// stamps every co-member of the requester's private rooms instead.
const MAX_INTERSECTIONS = 16

/**
 * Who `requester` may find (SPEC §3): users in a public room or sharing a
 * private room with them (everyone but themself with `searchAllUsers`),
 * local users only with `excludeRemoteUsers`, locked users only with
 * `showLockedUsers`. The first three come from the index's `EntryFlag`s by
 * dense id; "shares a private room" is answered by intersecting the two
 * users' room sets for the first few candidates outside public rooms, then
 * by stamping every co-member of the requester's private rooms once (the
 * sizes of those rooms), after which each candidate costs array reads. One instance per directory, `reset` per search.
 */
export class VisibilityFilter implements CandidateFilter {
  #requester = '' as UserId
  #requesterId = -1
  #modes: VisibilityModes = { searchAllUsers: false, excludeRemoteUsers: false, showLockedUsers: false }
  #index: SearchIndex | undefined
  #visibility: RoomVisibility | undefined
  #sharers = new Uint32Array(0)
  #generation = 0
  #stamped = false
  #intersections = 0

  reset(requester: UserId, modes: VisibilityModes, index: SearchIndex, visibility: RoomVisibility): this {
    this.#requester = requester
    this.#requesterId = index.idOf(requester)
    this.#modes = modes
    this.#index = index
    this.#visibility = visibility
    this.#stamped = false
    this.#intersections = 0
    return this
  }

  accepts(id: number, user: IndexedUser): boolean {
    const index = this.#index as SearchIndex
    const flags = index.flags(id)
    const { excludeRemoteUsers, showLockedUsers, searchAllUsers } = this.#modes
    if (excludeRemoteUsers && (flags & EntryFlag.Local) === 0) return false
    if (!showLockedUsers && (flags & EntryFlag.Locked) !== 0) return false
    if (searchAllUsers) return id !== this.#requesterId
    if ((flags & EntryFlag.InPublicRoom) !== 0) return true
    if (!this.#stamped) {
      // A few checks intersect room sets; a walk needing more stamps the co-members once.
      if (this.#intersections++ < MAX_INTERSECTIONS) return (this.#visibility as RoomVisibility).sharesPrivateRoom(this.#requester, user.userId)
      this.#stampSharers(index)
    }
    return id < this.#sharers.length && this.#sharers[id] === this.#generation
  }

  #stampSharers(index: SearchIndex): void {
    this.#stamped = true
    if (this.#sharers.length < index.idLimit) this.#sharers = new Uint32Array(Math.max(index.idLimit, this.#sharers.length * 2, 1024))
    if (++this.#generation === 0xffffffff) {
      this.#sharers.fill(0)
      this.#generation = 1
    }
    const sharers = this.#sharers
    const generation = this.#generation
    ;(this.#visibility as RoomVisibility).forEachPrivateSharerCandidate(this.#requester, (userId) => {
      const id = index.idOf(userId)
      if (id >= 0) sharers[id] = generation
    })
  }
}

/** Drops the results a spam checker flags (`true`), in order; `limited` is not recomputed (Synapse). */
export async function dropSpam(results: SearchResultItem[], checkers: readonly SpamChecker[], requester: UserId): Promise<SearchResultItem[]> {
  if (checkers.length === 0) return results
  const kept: SearchResultItem[] = []
  for (const result of results) {
    const profile: DirectoryProfile = { user_id: result.user_id, display_name: result.display_name, avatar_url: result.avatar_url }
    let spam = false
    for (const checker of checkers) {
      if (await checker(profile, requester)) {
        spam = true
        break
      }
    }
    if (!spam) kept.push(result)
  }
  return kept
}
