import type { UserId } from '../ids/index.js'
import type { CandidateFilter, IndexedUser } from '../search/index.js'
import type { RoomVisibility, UserRegistry } from '../visibility/index.js'
import type { DirectoryProfile, SpamChecker } from './options.js'
import type { SearchResultItem } from './types.js'

/** The mode options that decide who a search may return. */
export interface VisibilityModes {
  searchAllUsers: boolean
  excludeRemoteUsers: boolean
  showLockedUsers: boolean
}

/**
 * Who `requester` may find (SPEC §3): users in a public room or sharing a
 * private room with them (everyone but themself with `searchAllUsers`),
 * local users only with `excludeRemoteUsers`, locked users only with
 * `showLockedUsers`. O(1) per candidate but for the private-room check,
 * which intersects the two users' room sets.
 */
export function visibilityFilter(requester: UserId, modes: VisibilityModes, registry: UserRegistry, visibility: RoomVisibility): CandidateFilter {
  const { excludeRemoteUsers, showLockedUsers, searchAllUsers } = modes
  return {
    accepts(user: IndexedUser): boolean {
      if (excludeRemoteUsers && !user.isLocal) return false
      if (!showLockedUsers && user.isLocal && registry.isLocked(user.userId)) return false
      if (searchAllUsers) return user.userId !== requester
      return visibility.isInPublicRoom(user.userId) || visibility.sharesPrivateRoom(requester, user.userId)
    },
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
