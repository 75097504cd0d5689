import { UserDirectoryError } from '../errors.js'

/** The error of a store path that cannot be used: names the path and says that nothing was changed. */
export function unusableStore(path: string, problem: string, cause?: unknown): UserDirectoryError {
  return new UserDirectoryError('M_UNKNOWN', `cannot use ${path} as a store: ${problem}. Nothing was changed.`, cause === undefined ? undefined : { cause })
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
