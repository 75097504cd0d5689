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

/**
 * The answer for anything a handler threw: an `HttpError` as it is, a
 * `UserDirectoryError` from the engine as 400 with its errcode, and anything
 * else as `null` (the caller logs it and answers 500 `M_UNKNOWN`).
 */
export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error
  if (error instanceof UserDirectoryError) return new HttpError(400, error.errcode, error.message, {}, { cause: error })
  return null
}
