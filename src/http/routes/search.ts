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

/** Reads `search_term` and `limit` as Synapse does; `limit` must be an integer and is clamped to 0..50. */
export function parseSearchBody(body: Record<string, unknown>): { term: string; limit: number } {
  if (!('search_term' in body)) throw new HttpError(400, 'M_BAD_JSON', '`search_term` is required field')
  const term = body.search_term
  if (typeof term !== 'string') throw new HttpError(400, 'M_INVALID_PARAM', '`search_term` must be a string')
  const raw = body.limit ?? DEFAULT_LIMIT
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new HttpError(400, 'M_INVALID_PARAM', '`limit` must be an integer')
  return { term, limit: Math.max(0, Math.min(MAX_LIMIT, raw)) }
}
