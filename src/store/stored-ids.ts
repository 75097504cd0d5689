import { parseRoomId, parseUserId } from '../ids/index.js'
import type { RoomId, UserId } from '../ids/index.js'
import { RecordError } from './record-error.js'

/** A stored user id, checked as at the boundary (the file may have been edited or damaged). */
export function parseStoredUserId(database: string, key: unknown): UserId {
  try {
    return parseUserId(key)
  } catch (cause) {
    throw RecordError.badKey(database, key, cause)
  }
}

/** A stored room id, checked as at the boundary. */
export function parseStoredRoomId(database: string, key: unknown): RoomId {
  try {
    return parseRoomId(key)
  } catch (cause) {
    throw RecordError.badKey(database, key, cause)
  }
}
