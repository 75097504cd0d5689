import { UserDirectoryError } from '../errors.js'
import { describeValue } from '../describe-value.js'

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

// Checks the shape `<sigil>localpart:server` (no whitespace or control
// characters). Runs for every id of every delta: a character loop, no
// regex and no slices.
function checkId(sigil: string, value: unknown, what: string): void {
  if (typeof value !== 'string') {
    throw new UserDirectoryError('M_INVALID_PARAM', `${what} must be a string, got ${typeof value}`)
  }
  if (value.length > MAX_ID_LENGTH) {
    throw new UserDirectoryError('M_INVALID_PARAM', `${what} is longer than ${MAX_ID_LENGTH} characters`)
  }
  const colon = value.indexOf(':')
  if (value[0] !== sigil || colon < 2 || colon === value.length - 1) {
    throw new UserDirectoryError('M_INVALID_PARAM', `${what} ${describeValue(value)} is not of the form ${sigil}localpart:server`)
  }
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c <= 0x20 || c === 0x7f || isUnicodeSpace(c)) {
      throw new UserDirectoryError('M_INVALID_PARAM', `${what} ${describeValue(value)} contains whitespace or control characters`)
    }
  }
}

// What the regex \s matches above ASCII space.
function isUnicodeSpace(c: number): boolean {
  if (c < 0xa0) return false
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
}

/** Parses a user id; throws `UserDirectoryError` (`M_INVALID_PARAM`) naming the problem. */
export function parseUserId(value: unknown): UserId {
  checkId('@', value, 'user id')
  return value as UserId
}

/** Parses a room id; throws `UserDirectoryError` (`M_INVALID_PARAM`) naming the problem. */
export function parseRoomId(value: unknown): RoomId {
  checkId('!', value, 'room id')
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

/**
 * Whether `userId`'s server name (everything after its first ':') is
 * `serverName`. No slice: it runs several times per membership change.
 */
export function isOnServer(userId: string, serverName: string): boolean {
  const colon = userId.length - serverName.length - 1
  return colon > 0 && userId.charCodeAt(colon) === 0x3a && userId.indexOf(':') === colon && userId.endsWith(serverName)
}

/** Whether `value` has a server name's shape: a host with an optional port (non-empty; no whitespace, '/' or '@'). */
export function isServerName(value: string): boolean {
  return value !== '' && !/[\s/@]/.test(value)
}

/** Parses a server name; throws `UserDirectoryError` (`M_INVALID_PARAM`) naming the problem. */
export function parseServerName(value: unknown): ServerName {
  if (typeof value !== 'string' || !isServerName(value)) {
    throw new UserDirectoryError('M_INVALID_PARAM', `serverName must be a host name (with an optional port), got ${describeValue(value)}`)
  }
  return value as ServerName
}
