import type { Database, RootDatabase } from 'lmdb'
import type { Packr } from 'msgpackr'
import { namedDatabase } from './codec.js'
import type { UserId } from '../ids/index.js'
import type { StaleMark } from '../profiles/index.js'
import { RecordError } from './record-error.js'
import { parseStoredUserId } from './stored-ids.js'
import type { StoreBatch } from './types.js'

type StaleRecord = [nextTryAtMs: number, retryCounter: number]
/** `stale`: remote user id → [next try (ms since epoch), retry counter] of a profile to fetch. */
export type StaleDb = Database<StaleRecord, UserId>

export const STALE_DB = 'stale'

/** Opens (or, writable, creates) the database; `undefined` if read-only and missing. */
export function openStaleDb(env: RootDatabase, encoder: Packr): StaleDb | undefined {
  return env.openDB<StaleRecord, UserId>(namedDatabase(STALE_DB, encoder))
}

/** Writes the batch's stale marks; call inside a write transaction. */
export function writeStale(db: StaleDb, stale: StoreBatch['stale']): void {
  for (const [userId, mark] of stale) {
    if (mark === null) db.removeSync(userId)
    else db.putSync(userId, [mark.nextTryAtMs, mark.retryCounter])
  }
}

/** Reads every stale mark (one range scan). */
export function loadStale(db: StaleDb): Map<UserId, StaleMark> {
  const stale = new Map<UserId, StaleMark>()
  for (const { key, value } of db.getRange()) {
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || typeof value[1] !== 'number') {
      throw RecordError.badValue(STALE_DB, key, value)
    }
    stale.set(parseStoredUserId(STALE_DB, key), { nextTryAtMs: value[0], retryCounter: value[1] })
  }
  return stale
}
