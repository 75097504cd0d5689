import type { Database, RootDatabase } from 'lmdb'
import type { Packr } from 'msgpackr'
import { namedDatabase } from './codec.js'
import type { RoomId } from '../ids/index.js'
import { RecordError, isNullableString } from './record-error.js'
import { parseStoredRoomId } from './stored-ids.js'
import type { StoreBatch, StoredRoom } from './types.js'

type RoomRecord = [joinRule: string | null, historyVisibility: string | null]
/** `rooms`: room id → [join rule, history visibility]. */
export type RoomsDb = Database<RoomRecord, RoomId>

export const ROOMS_DB = 'rooms'

/** Opens (or, writable, creates) the database; `undefined` if read-only and missing. */
export function openRoomsDb(env: RootDatabase, encoder: Packr): RoomsDb | undefined {
  return env.openDB<RoomRecord, RoomId>(namedDatabase(ROOMS_DB, encoder))
}

/** Writes the batch's room changes; call inside a write transaction. */
export function writeRooms(db: RoomsDb, rooms: StoreBatch['rooms']): void {
  for (const [roomId, room] of rooms) {
    if (room === null) db.removeSync(roomId)
    else db.putSync(roomId, [room.joinRule, room.historyVisibility])
  }
}

/** Reads every room (one range scan). */
export function loadRooms(db: RoomsDb): Map<RoomId, StoredRoom> {
  const rooms = new Map<RoomId, StoredRoom>()
  for (const { key, value } of db.getRange()) {
    if (!Array.isArray(value) || value.length !== 2 || !isNullableString(value[0]) || !isNullableString(value[1])) {
      throw RecordError.badValue(ROOMS_DB, key, value)
    }
    rooms.set(parseStoredRoomId(ROOMS_DB, key), { joinRule: value[0], historyVisibility: value[1] })
  }
  return rooms
}
