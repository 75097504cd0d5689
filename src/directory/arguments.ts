import { UserDirectoryError } from '../errors.js'
import type { ServerName } from '../ids/index.js'
import { describeValue } from '../describe-value.js'

/** A server name: a host with an optional port. */
export function parseServerName(value: unknown): ServerName {
  if (typeof value !== 'string' || value === '' || /[\s/@]/.test(value)) {
    throw new UserDirectoryError('M_INVALID_PARAM', `serverName must be a host name (with an optional port), got ${describeValue(value)}`)
  }
  return value as ServerName
}

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
