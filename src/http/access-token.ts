import type { IncomingMessage } from 'node:http'

/**
 * The access token of a request: `Authorization: Bearer <token>` first,
 * else the `access_token` query parameter; `null` when neither is there.
 */
export function accessTokenOf(req: IncomingMessage, url: URL): string | null {
  const header = req.headers.authorization
  if (typeof header === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match !== null) return match[1]
  }
  const query = url.searchParams.get('access_token')
  return query === null || query === '' ? null : query
}
