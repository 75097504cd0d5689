import type { UserId } from '../ids/index.js'
import type { DirectoryProfile, SpamChecker } from './options.js'
import type { SearchResultItem } from './types.js'

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
