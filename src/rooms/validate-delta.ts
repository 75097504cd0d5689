import { UserDirectoryError } from '../errors.js'
import { parseRoomId, parseUserId } from '../ids/index.js'
import type { RoomId, UserId } from '../ids/index.js'
import { memberProfileOf } from './room-state.js'
import type { MemberProfile } from './types.js'
import { describeValue } from '../describe-value.js'

/** A delta that passed validation, reduced to what the directory uses. */
export type ValidDelta =
  | { kind: 'member'; roomId: RoomId; userId: UserId; membership: string; profile: MemberProfile }
  | { kind: 'join_rules'; roomId: RoomId; value: string | null }
  | { kind: 'history_visibility'; roomId: RoomId; value: string | null }
  | { kind: 'ignored' }

const IGNORED: ValidDelta = { kind: 'ignored' }

function fail(message: string): never {
  throw new UserDirectoryError('M_BAD_JSON', message)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function stringField(content: Record<string, unknown> | null, field: string, type: string): string | null {
  if (content === null) return null
  const value = content[field]
  if (value === undefined) return null
  if (typeof value !== 'string') fail(`${type} content.${field} must be a string, got ${describeValue(value)}`)
  return value
}

/**
 * Checks one delta's shape and reduces it to what the directory needs.
 * Throws `UserDirectoryError` (`M_BAD_JSON` or `M_INVALID_PARAM`) naming the
 * problem: a bad room or user id, content that is neither an object nor
 * null, or a field of the wrong type. Types other than member, join rules
 * and history visibility come back as `ignored`.
 */
export function validateDelta(delta: unknown): ValidDelta {
  if (!isPlainObject(delta)) fail(`a delta must be an object, got ${describeValue(delta)}`)
  const { room_id: rawRoomId, type, state_key: stateKey, content } = delta
  if (typeof type !== 'string') fail(`delta.type must be a string, got ${describeValue(type)}`)
  if (typeof stateKey !== 'string') fail(`delta.state_key must be a string, got ${describeValue(stateKey)}`)
  if (content !== null && !isPlainObject(content)) fail(`delta.content must be an object or null, got ${describeValue(content)}`)
  if (type !== 'm.room.member' && type !== 'm.room.join_rules' && type !== 'm.room.history_visibility') return IGNORED
  const roomId = parseRoomId(rawRoomId)
  switch (type) {
    case 'm.room.member': {
      const userId = parseUserId(stateKey)
      const membership = stringField(content, 'membership', type)
      if (content !== null && membership === null) fail(`m.room.member content.membership is missing for ${userId} in ${roomId}`)
      return { kind: 'member', roomId, userId, membership: membership ?? 'leave', profile: memberProfileOf(content) }
    }
    case 'm.room.join_rules':
      if (stateKey !== '') return IGNORED
      return { kind: 'join_rules', roomId, value: stringField(content, 'join_rule', type) }
    default:
      if (stateKey !== '') return IGNORED
      return { kind: 'history_visibility', roomId, value: stringField(content, 'history_visibility', type) }
  }
}
