import type { Database, RootDatabase } from 'lmdb'
import type { Packr } from 'msgpackr'
import { namedDatabase } from './codec.js'
import type { UserId } from '../ids/index.js'
import type { Profile } from '../profiles/index.js'
import { RecordError, isNullableString } from './record-error.js'
import { parseStoredUserId } from './stored-ids.js'
import type { StoreBatch } from './types.js'

type EntryRecord = [displayName: string | null, avatarUrl: string | null]
/** `entries`: user id → the directory entry's profile (Synapse's `user_directory` table). */
export type EntriesDb = Database<EntryRecord, UserId>

export const ENTRIES_DB = 'entries'

/** Opens (or, writable, creates) the database; `undefined` if read-only and missing. */
export function openEntriesDb(env: RootDatabase, encoder: Packr): EntriesDb | undefined {
  return env.openDB<EntryRecord, UserId>(namedDatabase(ENTRIES_DB, encoder))
}

/** Writes the batch's entry changes; call inside a write transaction. */
export function writeEntries(db: EntriesDb, entries: StoreBatch['entries']): void {
  for (const [userId, profile] of entries) {
    if (profile === null) db.removeSync(userId)
    else db.putSync(userId, [profile.displayName, profile.avatarUrl])
  }
}

/** Reads every entry (one range scan). */
export function loadEntries(db: EntriesDb): Map<UserId, Profile> {
  const entries = new Map<UserId, Profile>()
  for (const { key, value } of db.getRange()) {
    if (!Array.isArray(value) || value.length !== 2 || !isNullableString(value[0]) || !isNullableString(value[1])) {
      throw RecordError.badValue(ENTRIES_DB, key, value)
    }
    entries.set(parseStoredUserId(ENTRIES_DB, key), { displayName: value[0], avatarUrl: value[1] })
  }
  return entries
}
