import { UserDirectoryError } from '../errors.js'
import { describeValue } from '../describe-value.js'

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
