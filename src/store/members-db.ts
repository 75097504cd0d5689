import type { Database, RootDatabase } from 'lmdb'
import type { Packr } from 'msgpackr'
import { namedDatabase } from './codec.js'
import type { RoomId, UserId } from '../ids/index.js'
import type { MemberProfile } from '../rooms/index.js'
import { RecordError, isNullableString } from './record-error.js'
import { parseStoredRoomId, parseStoredUserId } from './stored-ids.js'
import type { StoreBatch } from './types.js'

type MemberKey = [RoomId, UserId]
type MemberRecord = [displayName: string | null, avatarUrl: string | null] | null
/**
 * `members`: [room id, user id] → the member event's profile, or `null` for
 * a local member. One record per joined member, so a join writes one record;
 * keys sort by room, then user.
 */
export type MembersDb = Database<MemberRecord, MemberKey>

export const MEMBERS_DB = 'members'

/** Opens (or, writable, creates) the database; `undefined` if read-only and missing. */
export function openMembersDb(env: RootDatabase, encoder: Packr): MembersDb | undefined {
  return env.openDB<MemberRecord, MemberKey>(namedDatabase(MEMBERS_DB, encoder))
}

/** Writes the batch's member changes (`undefined`: no longer joined); call inside a write transaction. */
export function writeMembers(db: MembersDb, members: StoreBatch['members']): void {
  for (const [roomId, userId, profile] of members) {
    if (profile === undefined) db.removeSync([roomId, userId])
    else db.putSync([roomId, userId], profile === null ? null : [profile.displayName, profile.avatarUrl])
  }
}

/**
 * Reads every joined member (one range scan, in key order) into one map per
 * room, the maps a directory keeps as its rooms' joined members: no
 * intermediate list of a record per member.
 */
export function loadMembers(db: MembersDb): Map<RoomId, Map<UserId, MemberProfile | null>> {
  const rooms = new Map<RoomId, Map<UserId, MemberProfile | null>>()
  let lastRoom: unknown
  let joined: Map<UserId, MemberProfile | null> | undefined
  for (const { key, value } of db.getRange()) {
    if (!Array.isArray(key) || key.length !== 2) throw new RecordError(MEMBERS_DB, key, 'has a key that is not [room id, user id]')
    // Keys come sorted by room: parse each room id once.
    if (key[0] !== lastRoom || joined === undefined) {
      lastRoom = key[0]
      const roomId = parseStoredRoomId(MEMBERS_DB, key[0])
      joined = rooms.get(roomId)
      if (joined === undefined) rooms.set(roomId, (joined = new Map()))
    }
    const userId = parseStoredUserId(MEMBERS_DB, key[1])
    if (value === null) {
      joined.set(userId, null)
    } else if (Array.isArray(value) && value.length === 2 && isNullableString(value[0]) && isNullableString(value[1])) {
      joined.set(userId, { displayName: value[0], avatarUrl: value[1] })
    } else {
      throw RecordError.badValue(MEMBERS_DB, key, value)
    }
  }
  return rooms
}
