// Narrow readers for Synapse Admin API answers (docs/admin_api/user_admin_api.md
// and rooms.md in Synapse). Each returns plain data or throws a `bad_response`
// ImportError naming the field; nothing is cast.
import { ImportError } from './import-error.js'
import { describeValue } from '../describe-value.js'
import type { LocalUser } from '../visibility/index.js'

/** One account of `GET /_synapse/admin/v2/users`. */
export interface AdminUser extends LocalUser {
  userId: string
  /** `is_guest`. */
  isGuest: boolean
  /** `creation_ts` (seconds in Synapse's answers), or null when not sent. */
  creationTs: number | null
  /** As sent (the engine cleans non-strings to null). */
  displayName: unknown
  avatarUrl: unknown
}

export interface UsersPage {
  users: AdminUser[]
  /** `from` of the next page, or null on the last page. */
  nextToken: string | null
  total: number | null
}

export interface RoomsPage {
  roomIds: string[]
  /** `from` of the next page, or null on the last page. */
  next: number | null
  total: number | null
}

/** A state event reduced to what the directory reads. */
export interface StateEvent {
  type: string
  stateKey: string
  content: Record<string, unknown>
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function bad(what: string, detail: string): never {
  throw new ImportError('bad_response', `${what}: ${detail}`)
}

// Synapse sent 0/1 for these flags before it sent booleans.
function flag(user: Record<string, unknown>, field: string, what: string): boolean {
  const value = user[field]
  if (value === undefined || value === null) return false
  if (typeof value === 'boolean') return value
  if (value === 0 || value === 1) return value === 1
  return bad(what, `${field} of ${String(user.name)} must be a boolean, got ${describeValue(value)}`)
}

function optionalCount(body: Record<string, unknown>, field: string): number | null {
  const value = body[field]
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null
}

/** Reads a users page. `next_token` is a string in Synapse's answers; a number is accepted too. */
export function parseUsersPage(body: unknown, what: string): UsersPage {
  if (!isObject(body) || !Array.isArray(body.users)) bad(what, 'expected an object with a `users` array')
  const users = body.users.map((raw): AdminUser => {
    if (!isObject(raw) || typeof raw.name !== 'string') bad(what, `every user needs a string \`name\`, got ${describeValue(raw)}`)
    const userType = raw.user_type
    if (userType !== undefined && userType !== null && typeof userType !== 'string') bad(what, `user_type of ${raw.name} must be a string or null`)
    return {
      userId: raw.name,
      userType: userType ?? null,
      deactivated: flag(raw, 'deactivated', what),
      locked: flag(raw, 'locked', what),
      isGuest: flag(raw, 'is_guest', what),
      creationTs: typeof raw.creation_ts === 'number' && Number.isFinite(raw.creation_ts) ? raw.creation_ts : null,
      displayName: raw.displayname ?? null,
      avatarUrl: raw.avatar_url ?? null,
    }
  })
  const next = body.next_token
  let nextToken: string | null = null
  if (typeof next === 'string' && next !== '') nextToken = next
  else if (typeof next === 'number' && Number.isSafeInteger(next)) nextToken = String(next)
  else if (next !== undefined && next !== null) bad(what, `next_token must be a string, got ${describeValue(next)}`)
  return { users, nextToken, total: optionalCount(body, 'total') }
}

/** Reads one user's info (`GET /_synapse/admin/v2/users/{userId}`): the same fields as a users page's entries. */
export function parseUser(body: unknown, what: string): AdminUser {
  return parseUsersPage({ users: [body] }, what).users[0]
}

/**
 * Reads a rooms page. Synapse's code sends `next_batch` (an integer offset);
 * its documentation's example says `next_token`, so either is accepted.
 */
export function parseRoomsPage(body: unknown, what: string): RoomsPage {
  if (!isObject(body) || !Array.isArray(body.rooms)) bad(what, 'expected an object with a `rooms` array')
  const roomIds = body.rooms.map((raw) => {
    if (!isObject(raw) || typeof raw.room_id !== 'string') bad(what, `every room needs a string \`room_id\`, got ${describeValue(raw)}`)
    return raw.room_id
  })
  const next = body.next_batch ?? body.next_token
  let offset: number | null = null
  if (typeof next === 'number' && Number.isSafeInteger(next) && next >= 0) offset = next
  else if (typeof next === 'string' && /^\d+$/.test(next)) offset = Number(next)
  else if (next !== undefined && next !== null) bad(what, `next_batch must be an integer offset, got ${describeValue(next)}`)
  return { roomIds, next: offset, total: optionalCount(body, 'total_rooms') }
}

/**
 * Reads `GET /_synapse/admin/v1/rooms/{roomId}/state`: `{ state: [event] }`.
 * Events without a string type and state key or an object content are left
 * out and counted in `skipped`.
 */
export function parseRoomState(body: unknown, what: string): { events: StateEvent[]; skipped: number } {
  if (!isObject(body) || !Array.isArray(body.state)) bad(what, 'expected an object with a `state` array')
  const events: StateEvent[] = []
  let skipped = 0
  for (const raw of body.state) {
    if (isObject(raw) && typeof raw.type === 'string' && typeof raw.state_key === 'string' && isObject(raw.content)) {
      events.push({ type: raw.type, stateKey: raw.state_key, content: raw.content })
    } else {
      skipped++
    }
  }
  return { events, skipped }
}

/** `{ errcode, error }` of a Matrix error body, as far as present. */
export function matrixErrorOf(body: unknown): { errcode: string | null; error: string | null; retryAfterMs: number | null } {
  if (!isObject(body)) return { errcode: null, error: null, retryAfterMs: null }
  const retry = body.retry_after_ms
  return {
    errcode: typeof body.errcode === 'string' ? body.errcode : null,
    error: typeof body.error === 'string' ? body.error : null,
    retryAfterMs: typeof retry === 'number' && Number.isFinite(retry) && retry >= 0 ? retry : null,
  }
}
