import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { accessTokenOf } from './access-token.js'
import { HttpError } from './http-error.js'

/**
 * Checks a request against a configured secret (the appservice `hs_token`
 * or the admin token), sent as `Authorization: Bearer` or `?access_token=`.
 * Not configured or wrong: 403 `M_FORBIDDEN`; missing: 401 with
 * `missingErrcode` (`M_UNAUTHORIZED` for the appservice API, as its spec says;
 * `M_MISSING_TOKEN` for the admin API).
 */
export function requireSecret(
  req: IncomingMessage,
  url: URL,
  expected: string | undefined,
  what: string,
  missingErrcode: 'M_UNAUTHORIZED' | 'M_MISSING_TOKEN',
): void {
  if (expected === undefined) throw new HttpError(403, 'M_FORBIDDEN', `The ${what} is disabled: no token is configured for it.`)
  const given = accessTokenOf(req, url)
  if (given === null) throw new HttpError(401, missingErrcode, `Missing ${what} token.`)
  if (!equalSecrets(given, expected)) throw new HttpError(403, 'M_FORBIDDEN', `Invalid ${what} token.`)
}

function equalSecrets(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
