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

/**
 * Parses the user ids of one `load()`, checking each distinct id once and
 * returning one string per user: the same user's id under several keys
 * (a member of many rooms, an entry, a local user) is then one string in
 * memory instead of one per record (~350k copies of 100k ids before, at
 * 100k bench users).
 */
export class StoredUserIds {
  readonly #known = new Map<string, UserId>()

  parse(database: string, key: unknown): UserId {
    if (typeof key === 'string') {
      const known = this.#known.get(key)
      if (known !== undefined) return known
    }
    const userId = parseStoredUserId(database, key)
    this.#known.set(userId, userId)
    return userId
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
