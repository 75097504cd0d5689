import type { FetchedProfile, ProfileFetcher } from '../directory/index.js'
import { ProfileFetchError } from '../errors.js'

/**
 * A `profileFetcher` that asks the homeserver for a remote user's global
 * profile (`GET /_matrix/client/v3/profile/{userId}`, authenticated with the
 * appservice `as_token`); the homeserver asks the user's server over
 * federation. A 404 `M_NOT_FOUND` becomes "not found" (SPEC §5); any other
 * failure is a plain failure, retried with back-off by the directory.
 */
export function createProfileFetcher(options: { homeserverUrl: string; accessToken: string; timeoutMs?: number }): ProfileFetcher {
  const base = options.homeserverUrl.replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 30_000
  return async (userId: string): Promise<FetchedProfile> => {
    const url = `${base}/_matrix/client/v3/profile/${encodeURIComponent(userId)}`
    const response = await fetch(url, { headers: { Authorization: `Bearer ${options.accessToken}` }, signal: AbortSignal.timeout(timeoutMs) })
    const body: unknown = await response.json().catch(() => null)
    const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {}
    if (!response.ok) {
      const errcode = typeof fields.errcode === 'string' ? fields.errcode : undefined
      throw new ProfileFetchError(`profile of ${userId}: the homeserver answered ${response.status}${errcode === undefined ? '' : ` ${errcode}`}`, { status: response.status, errcode })
    }
    // A 200 that is not a JSON object (a proxy's error page, say) is a failure, not an empty profile.
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ProfileFetchError(`profile of ${userId}: the homeserver answered ${response.status} without a JSON object`, { status: response.status })
    }
    return { displayname: fields.displayname, avatar_url: fields.avatar_url }
  }
}
