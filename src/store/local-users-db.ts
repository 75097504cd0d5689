import type { Database, RootDatabase } from 'lmdb'
import type { Packr } from 'msgpackr'
import { namedDatabase } from './codec.js'
import type { UserId } from '../ids/index.js'
import type { LocalUser } from '../visibility/index.js'
import { RecordError, isNullableString } from './record-error.js'
import { parseStoredUserId } from './stored-ids.js'
import type { StoreBatch } from './types.js'

type LocalUserRecord = [userType: string | null, deactivated: boolean, locked: boolean]
/** `localUsers`: user id → [user type, deactivated, locked] of a registered local user. */
export type LocalUsersDb = Database<LocalUserRecord, UserId>

export const LOCAL_USERS_DB = 'localUsers'

/** Opens (or, writable, creates) the database; `undefined` if read-only and missing. */
export function openLocalUsersDb(env: RootDatabase, encoder: Packr): LocalUsersDb | undefined {
  return env.openDB<LocalUserRecord, UserId>(namedDatabase(LOCAL_USERS_DB, encoder))
}

/** Writes the batch's local users; call inside a write transaction. */
export function writeLocalUsers(db: LocalUsersDb, localUsers: StoreBatch['localUsers']): void {
  for (const [userId, user] of localUsers) db.putSync(userId, [user.userType, user.deactivated, user.locked])
}

/** Reads every local user (one range scan). */
export function loadLocalUsers(db: LocalUsersDb): Map<UserId, LocalUser> {
  const users = new Map<UserId, LocalUser>()
  // Users with the same type and flags (nearly all: no type, active, unlocked)
  // share one object; the registry replaces these objects, never writes them.
  const alike = new Map<string, LocalUser>()
  for (const { key, value } of db.getRange()) {
    if (!Array.isArray(value) || value.length !== 3 || !isNullableString(value[0]) || typeof value[1] !== 'boolean' || typeof value[2] !== 'boolean') {
      throw RecordError.badValue(LOCAL_USERS_DB, key, value)
    }
    const shape = `${value[1] ? 'd' : '-'}${value[2] ? 'l' : '-'}${value[0] === null ? '' : `:${value[0]}`}`
    let user = alike.get(shape)
    if (user === undefined) alike.set(shape, (user = { userType: value[0], deactivated: value[1], locked: value[2] }))
    users.set(parseStoredUserId(LOCAL_USERS_DB, key), user)
  }
  return users
}
