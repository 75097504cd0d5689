import type { UserDirectory } from '../directory/index.js'
import { cleanProfileText } from '../rooms/index.js'
import type { AdminUser } from './admin-api-wire.js'

/** What applying a user reads and writes of a `UserDirectory`. */
export type ApplyUserDirectory = Pick<UserDirectory, 'registerLocalUser' | 'handleLocalProfileChange' | 'getProfile' | 'importAccess'>

/** What `applyAdminUser` changed, with a description of each difference (for reconcile logs). */
export interface AppliedUser {
  /** The type or a flag (deactivated, locked) differed, or the user was not registered here. */
  flags: string | null
  /** The global display name or avatar differed. */
  profile: string | null
}

/**
 * Applies a user's Admin API facts (`GET /_synapse/admin/v2/users[/{userId}]`:
 * user type, deactivated, locked, global display name and avatar) to the
 * directory where they differ. Shared by the import, its reconcile and the
 * follower. `stale` is asked before each write: true means a newer live
 * change to this user was applied meanwhile, and the rest is skipped (the
 * live value stands). Throws what the directory throws (a
 * `UserDirectoryError` for a malformed id).
 */
export async function applyAdminUser(dir: ApplyUserDirectory, user: AdminUser, stale: () => boolean = () => false): Promise<AppliedUser> {
  const { userId } = user
  const applied: AppliedUser = { flags: null, profile: null }
  if (stale()) return applied
  const before = dir.importAccess.localUser(userId)
  if (before === null || before.userType !== user.userType || before.deactivated !== user.deactivated || before.locked !== user.locked) {
    applied.flags = `${userId}: ${before === null ? 'not registered here' : `type/deactivated/locked ${describeFlags(before)} here`}, ${describeFlags(user)} on the homeserver`
    await dir.registerLocalUser(userId, { userType: user.userType, deactivated: user.deactivated, locked: user.locked })
  }
  // Re-checked after each await: the admin API's user route may have run meanwhile.
  if (stale()) return applied
  const entry = await dir.getProfile(userId)
  if (entry === null || stale()) return applied
  const displayName = cleanProfileText(user.displayName)
  const avatarUrl = cleanProfileText(user.avatarUrl)
  if (entry.display_name === displayName && entry.avatar_url === avatarUrl) return applied
  applied.profile = `${userId}: profile ${JSON.stringify([entry.display_name, entry.avatar_url])} here, ${JSON.stringify([displayName, avatarUrl])} on the homeserver`
  await dir.handleLocalProfileChange(userId, { displayName, avatarUrl })
  return applied
}

function describeFlags(user: { userType: string | null; deactivated: boolean; locked: boolean }): string {
  return `${user.userType ?? 'regular'}/${user.deactivated}/${user.locked}`
}
