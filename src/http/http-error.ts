import { UserDirectoryError } from '../errors.js'
import type { Errcode } from '../errors.js'

/**
 * Errcodes the HTTP layer answers with: the engine's, plus those only the
 * client-server and application-service APIs define.
 */
export type HttpErrcode = Errcode | 'M_UNAUTHORIZED' | 'M_GUEST_ACCESS_FORBIDDEN'

/** An error with the status and Matrix errcode to answer with; `extra` fields join the JSON body (e.g. `retry_after_ms`). */
export class HttpError extends Error {
  readonly status: number
  readonly errcode: HttpErrcode
  readonly extra: Readonly<Record<string, unknown>>
  constructor(status: number, errcode: HttpErrcode, message: string, extra: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options)
    this.name = 'HttpError'
    this.status = status
    this.errcode = errcode
    this.extra = extra
  }
}

/** The message of a 500 for an engine or store failure: nothing internal (paths, LMDB errors) reaches the client. */
export const INTERNAL_FAILURE_MESSAGE = 'The directory could not complete this request, and nothing of it was kept. Try again later.'

/**
 * The answer for anything a handler threw: an `HttpError` as it is; a
 * `UserDirectoryError` from the engine as 400 with its errcode when the
 * request was at fault, or as 500 `M_UNKNOWN` with a generic message when
 * the engine or its store failed (`M_UNKNOWN`: a commit the store refused,
 * a closed directory; the engine logs the details); anything else as
 * `null` (the caller logs it and answers 500 `M_UNKNOWN`).
 */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error
  if (error instanceof UserDirectoryError) {
    if (error.errcode === 'M_UNKNOWN') return new HttpError(500, 'M_UNKNOWN', INTERNAL_FAILURE_MESSAGE, {}, { cause: error })
    return new HttpError(400, error.errcode, error.message, {}, { cause: error })
  }
  return null
}
