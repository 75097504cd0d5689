import { UserDirectoryError } from '../errors.js'
import { describeValue } from '../describe-value.js'
import type { Logger } from 'pino'
import { parseUserId } from '../ids/index.js'
import type { ServerName, UserId } from '../ids/index.js'
import { validateDelta } from '../rooms/index.js'
import type { ValidDelta } from '../rooms/index.js'
import type { LocalUser, UserRegistry } from '../visibility/index.js'
import { transactionKey } from './transaction-window.js'
import type { IngestReport, LocalUserInfo } from './types.js'

// The checks of the directory's call arguments: each returns the value
// parsed, or throws `UserDirectoryError` (`M_INVALID_PARAM`, `M_NOT_FOUND`).

/** A boolean argument that may be left out. */
export function optionalBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined) return undefined
  return requiredBoolean(value, name)
}

/** A boolean argument. */
export function requiredBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new UserDirectoryError('M_INVALID_PARAM', `${name} must be a boolean, got ${describeValue(value)}`)
  return value
}

/** A local user id of this server, parsed. */
export function localUserId(registry: UserRegistry, serverName: ServerName, userId: string): UserId {
  const id = parseUserId(userId)
  if (!registry.isLocal(id)) throw new UserDirectoryError('M_INVALID_PARAM', `${id} is not a local user of ${serverName}`)
  return id
}

/** A registered local user's facts; throws `M_NOT_FOUND` for an unregistered one. */
export function requireRegistered(registry: UserRegistry, userId: UserId): LocalUser {
  const user = registry.get(userId)
  if (user === undefined) throw new UserDirectoryError('M_NOT_FOUND', `${userId} is not registered; call registerLocalUser first`)
  return user
}

/** A local user's facts after `registerLocalUser(info)`: what `info` leaves out is kept from `before`. */
export function registeredUser(before: LocalUser | undefined, info: LocalUserInfo): LocalUser {
  const userType = info.userType === undefined ? (before?.userType ?? null) : info.userType
  if (userType !== null && typeof userType !== 'string') throw new UserDirectoryError('M_INVALID_PARAM', `userType must be a string or null, got ${describeValue(userType)}`)
  return {
    userType,
    deactivated: optionalBoolean(info.deactivated, 'deactivated') ?? before?.deactivated ?? false,
    locked: optionalBoolean(info.locked, 'locked') ?? before?.locked ?? false,
  }
}

/** The transaction key of `ingest`'s `transactionId`, checked; undefined without one. */
export function ingestTransactionKey(transactionId: unknown): string | undefined {
  if (transactionId === undefined) return undefined
  if (typeof transactionId !== 'string' || transactionId === '') throw new UserDirectoryError('M_INVALID_PARAM', 'transactionId must be a non-empty string')
  return transactionKey(transactionId)
}

/**
 * `ingest`'s deltas and position, checked: every delta is checked before
 * any applies (a batch never stops halfway); malformed ones are left out,
 * logged and listed in the report.
 */
export function checkDeltas(deltas: unknown, position: unknown, logger: Logger): { valid: ValidDelta[]; position: number | undefined; report: IngestReport } {
  if (!Array.isArray(deltas)) throw new UserDirectoryError('M_INVALID_PARAM', 'deltas must be an array')
  if (position !== undefined && (typeof position !== 'number' || !Number.isSafeInteger(position))) {
    throw new UserDirectoryError('M_INVALID_PARAM', `position must be an integer, got ${describeValue(position)}`)
  }
  const report: IngestReport = { applied: 0, skipped: [] }
  const valid: ValidDelta[] = []
  for (let index = 0; index < deltas.length; index++) {
    try {
      valid.push(validateDelta(deltas[index]))
    } catch (error) {
      if (!(error instanceof UserDirectoryError)) throw error
      report.skipped.push({ index, errcode: error.errcode, message: error.message })
      logger.warn({ index, err: error.message }, 'skipping malformed state delta')
    }
  }
  report.applied = valid.length
  return { valid, position: position as number | undefined, report }
}
