/**
 * @module Errors a caller can act on. Programmer errors stay plain `Error`s.
 */

/** Matrix error codes this package raises. */
export type Errcode =
  | 'M_INVALID_PARAM'
  | 'M_BAD_JSON'
  | 'M_NOT_JSON'
  | 'M_MISSING_TOKEN'
  | 'M_UNKNOWN_TOKEN'
  | 'M_FORBIDDEN'
  | 'M_LIMIT_EXCEEDED'
  | 'M_NOT_FOUND'
  | 'M_TOO_LARGE'
  | 'M_UNRECOGNIZED'
  | 'M_UNKNOWN'

/**
 * A bad argument, bad input or a store that cannot be used. `errcode` is the
 * Matrix error code an HTTP layer would answer with; `message` says what was
 * wrong and, where it helps, what to do.
 */
export class UserDirectoryError extends Error {
  readonly errcode: Errcode
  constructor(errcode: Errcode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'UserDirectoryError'
    this.errcode = errcode
  }
}

/** What a `profileFetcher` may attach to a failure (SPEC §5). */
export interface ProfileFetchErrorDetails {
  /** HTTP status of the remote answer, if there was one. */
  status?: number
  /** Matrix errcode of the remote answer, if there was one. */
  errcode?: string
  /** The remote server is in back-off until this time (ms since epoch). */
  backoffUntilMs?: number
}

/**
 * Thrown by a `profileFetcher` to say "not found" (`status: 404`,
 * `errcode: "M_NOT_FOUND"`) or "that server is in back-off until
 * `backoffUntilMs`". Anything else thrown counts as a plain failure.
 */
export class ProfileFetchError extends Error {
  readonly status: number | undefined
  readonly errcode: string | undefined
  readonly backoffUntilMs: number | undefined
  constructor(message: string, details: ProfileFetchErrorDetails = {}) {
    super(message)
    this.name = 'ProfileFetchError'
    this.status = details.status
    this.errcode = details.errcode
    this.backoffUntilMs = details.backoffUntilMs
  }

  /** True for the 404 `M_NOT_FOUND` answer: the profile does not exist. */
  get isNotFound(): boolean {
    return this.status === 404 && this.errcode === 'M_NOT_FOUND'
  }
}
