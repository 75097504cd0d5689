import type { Route, RouteRequest } from '../context.js'
import { accessTokenOf } from '../access-token.js'
import { HttpError } from '../http-error.js'
import { readJsonObject } from '../read-body.js'
import { sendJsonBytes } from '../respond.js'
import { searchAnswerBytes } from '../search-answer.js'

// Synapse's rest/client/user_directory.py: limit defaults to 10, clamped to 0..50.
const DEFAULT_LIMIT = 10
const MAX_LIMIT = 50

/** `POST /_matrix/client/{v3,r0}/user_directory/search` (SPEC §6). */
export const searchRoute: Route = {
  method: 'POST',
  pattern: /^\/_matrix\/client\/(?:v3|r0)\/user_directory\/search$/,
  name: 'search',
  handle: handleSearch,
}

async function handleSearch({ req, res, url, ctx }: RouteRequest): Promise<void> {
  const stopTimer = ctx.metrics.searchSeconds.startTimer()
  const token = accessTokenOf(req, url)
  if (token === null) throw new HttpError(401, 'M_MISSING_TOKEN', 'Missing access token.')
  const userId = await ctx.tokens.resolve(token)
  if (ctx.rateLimiter !== null) {
    const retryAfterMs = ctx.rateLimiter.take(userId)
    if (retryAfterMs > 0) throw new HttpError(429, 'M_LIMIT_EXCEEDED', 'Too Many Requests', { retry_after_ms: retryAfterMs })
  }
  const body = await readJsonObject(req, ctx.maxBodyBytes)
  const { term, limit } = parseSearchBody(body)
  const { limited, results } = await ctx.dir.search(userId, term, limit)
  sendJsonBytes(res, 200, searchAnswerBytes(limited, results))
  stopTimer()
}

/**
 * Reads `search_term` and `limit` as Synapse does: `limit` is Python's
 * `int(body.get("limit", 10))` clamped to 0..50, so 2.5 is 2, "5" is 5 and
 * true is 1. Where `int()` raises (null, "2.5", "abc", a list; Synapse
 * answers 500) this is 400 `M_INVALID_PARAM`.
 */
function parseSearchBody(body: Record<string, unknown>): { term: string; limit: number } {
  if (!('search_term' in body)) throw new HttpError(400, 'M_BAD_JSON', '`search_term` is required field')
  const term = body.search_term
  if (typeof term !== 'string') throw new HttpError(400, 'M_INVALID_PARAM', '`search_term` must be a string')
  const limit = pythonInt(Object.hasOwn(body, 'limit') ? body.limit : DEFAULT_LIMIT)
  if (limit === null) throw new HttpError(400, 'M_INVALID_PARAM', '`limit` must be an integer, or a number or string that int() accepts')
  // Synapse's rest/client/user_directory.py: limit = max(min(int(limit), 50), 0).
  return { term, limit: Math.max(0, Math.min(MAX_LIMIT, limit)) }
}

// Python's str.isspace() outside ASCII, which int() strips like ASCII blanks.
const PY_SPACE = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u
const DECIMAL = /\p{Nd}/u
// Python's int() refuses strings of more digits than this (sys.int_info.default_max_str_digits).
const MAX_STR_DIGITS = 4300

/**
 * Python's `int(value)` for a JSON value, or null where it raises: numbers
 * truncate toward zero, booleans are 0 and 1, strings are base-10 integers
 * with optional blanks, sign and single underscores between digits (any
 * Unicode decimal digit counts); above 50 the exact value does not matter.
 */
function pythonInt(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : null
  if (typeof value !== 'string') return null
  let ascii = ''
  for (const char of value) {
    if (PY_SPACE.test(char)) ascii += ' '
    else if (char >= '0' && char <= '9') ascii += char
    else if (DECIMAL.test(char)) ascii += String(decimalValue(char))
    else ascii += char
  }
  const match = /^ *([+-]?)([0-9]+(?:_[0-9]+)*) *$/.exec(ascii)
  if (match === null) return null
  const digits = match[2].replaceAll('_', '')
  if (digits.length > MAX_STR_DIGITS) return null
  const magnitude = digits.replace(/^0+(?=.)/, '').length > 15 ? Number.MAX_SAFE_INTEGER : Number(digits)
  return match[1] === '-' ? -magnitude : magnitude
}

// Unicode encodes decimal digits in runs of ten, 0 to 9, so a digit's value is its distance from its run's start, mod 10.
function decimalValue(char: string): number {
  const code = char.codePointAt(0) as number
  let start = code
  while (start > 0 && DECIMAL.test(String.fromCodePoint(start - 1))) start--
  return (code - start) % 10
}
