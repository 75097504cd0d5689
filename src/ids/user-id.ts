import { UserDirectoryError } from '../errors.js'

declare const brand: unique symbol
/** A syntactically valid Matrix user id, `@localpart:server`. */
export type UserId = string & { readonly [brand]: 'UserId' }
/** A syntactically valid Matrix room id, `!opaque:server`. */
export type RoomId = string & { readonly [brand]: 'RoomId' }
/** A server name, `host` or `host:port`. */
export type ServerName = string & { readonly [brand]: 'ServerName' }

// The grammar is the spec's: a sigil, a non-empty localpart (historical user
// ids allow any printable ASCII but ':'), ':', and a server name. We check
// the shape, not every historical rule, and cap the length at 255 as Synapse
// does for user ids.
const MAX_ID_LENGTH = 255

function splitId(sigil: string, value: unknown, what: string): [string, string] {
  if (typeof value !== 'string') {
    throw new UserDirectoryError('M_INVALID_PARAM', `${what} must be a string, got ${typeof value}`)
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new UserDirectoryError('M_INVALID_PARAM', `${what} is longer than ${MAX_ID_LENGTH} characters`)
  }
  const colon = value.indexOf(':')
  if (value[0] !== sigil || colon < 2 || colon === value.length - 1) {
    throw new UserDirectoryError('M_INVALID_PARAM', `${what} ${JSON.stringify(value)} is not of the form ${sigil}localpart:server`)
  }
  // eslint-disable-next-line no-control-regex
  if (/[\s\x00-\x1f\x7f]/.test(value)) {
    throw new UserDirectoryError('M_INVALID_PARAM', `${what} ${JSON.stringify(value)} contains whitespace or control characters`)
  }
  return [value.slice(1, colon), value.slice(colon + 1)]
}

/** Parses a user id; throws `UserDirectoryError` (`M_INVALID_PARAM`) naming the problem. */
export function parseUserId(value: unknown): UserId {
  splitId('@', value, 'user id')
  return value as UserId
}

/** Parses a room id; throws `UserDirectoryError` (`M_INVALID_PARAM`) naming the problem. */
export function parseRoomId(value: unknown): RoomId {
  splitId('!', value, 'room id')
  return value as RoomId
}

/** The part of a user id between `@` and the first `:`. */
export function localpartOf(userId: UserId): string {
  return userId.slice(1, userId.indexOf(':'))
}

/** Everything after the first `:` of a user id (a port included). */
export function serverNameOf(userId: UserId): ServerName {
  return userId.slice(userId.indexOf(':') + 1) as ServerName
}
