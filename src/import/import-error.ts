/** Why an import stopped. */
export type ImportFailure =
  /** 401: the token is unknown or expired. */
  | 'unauthorized'
  /** 403: the token is valid but not a server admin's. */
  | 'forbidden'
  /** The Admin API is not at that URL (404, or a 200 that is not JSON). */
  | 'not_found'
  /** The homeserver answered something this importer cannot read. */
  | 'bad_response'
  /** Retries ran out (5xx, 429, network errors, timeouts). */
  | 'unavailable'
  /** The caller's signal stopped it. */
  | 'aborted'

/**
 * An import that cannot go on. The message is one line meant for an
 * operator: what failed, the homeserver's status and errcode, what to do.
 * Pages applied before the failure stay applied, with their checkpoint, so
 * running the import again resumes.
 */
export class ImportError extends Error {
  readonly reason: ImportFailure
  constructor(reason: ImportFailure, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'ImportError'
    this.reason = reason
  }
}
