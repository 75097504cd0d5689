// A fake homeserver on loopback for the HTTP tests: whoami and profiles,
// counting the calls it gets.
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export class FakeHomeserver {
  readonly url: string
  readonly tokens = new Map<string, { userId: string; isGuest?: boolean }>()
  readonly profiles = new Map<string, { displayname?: string; avatar_url?: string }>()
  whoamiCalls = 0
  /** whoami answers wait this long, ms; the most in flight at once is recorded. */
  whoamiDelayMs = 0
  whoamiInFlight = 0
  whoamiMaxInFlight = 0
  profileCalls = 0
  lastProfileAuth: string | undefined
  /** When set, every answer is this status with an M_UNKNOWN body. */
  failWith: number | null = null
  /** How profile requests are answered: normally, with a 200 that is not JSON, or never. */
  profileAnswer: 'normal' | 'not-json' | 'hang' = 'normal'
  readonly #server: Server

  private constructor(server: Server) {
    this.#server = server
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  static async start(): Promise<FakeHomeserver> {
    let hs: FakeHomeserver | undefined
    const server = createServer((req, res) => hs?.handle(req.method ?? '', req.url ?? '/', req.headers.authorization, res))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    hs = new FakeHomeserver(server)
    return hs
  }

  handle(method: string, rawUrl: string, auth: string | undefined, res: import('node:http').ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    const path = new URL(rawUrl, 'http://x').pathname
    const token = auth?.replace(/^Bearer /, '')
    if (path === '/_matrix/client/v3/account/whoami' && method === 'GET') {
      this.whoamiCalls++
      this.whoamiInFlight++
      this.whoamiMaxInFlight = Math.max(this.whoamiMaxInFlight, this.whoamiInFlight)
      const answer = (): void => {
        this.whoamiInFlight--
        if (this.failWith !== null) return send(this.failWith, { errcode: 'M_UNKNOWN', error: 'down' })
        const known = token === undefined ? undefined : this.tokens.get(token)
        if (known === undefined) return send(401, { errcode: 'M_UNKNOWN_TOKEN', error: 'Unknown token' })
        send(200, { user_id: known.userId, device_id: 'DEV', is_guest: known.isGuest === true })
      }
      if (this.whoamiDelayMs > 0) setTimeout(answer, this.whoamiDelayMs)
      else answer()
      return
    }
    const profile = /^\/_matrix\/client\/v3\/profile\/([^/]+)$/.exec(path)
    if (profile !== null && method === 'GET') {
      this.profileCalls++
      this.lastProfileAuth = auth
      if (this.failWith !== null) return send(this.failWith, { errcode: 'M_UNKNOWN', error: 'down' })
      if (this.profileAnswer === 'hang') return
      if (this.profileAnswer === 'not-json') {
        res.writeHead(200, { 'Content-Type': 'text/html' })
        res.end('<html>gateway page</html>')
        return
      }
      const found = this.profiles.get(decodeURIComponent(profile[1]))
      if (found === undefined) return send(404, { errcode: 'M_NOT_FOUND', error: 'Profile was not found' })
      return send(200, found)
    }
    send(404, { errcode: 'M_UNRECOGNIZED', error: 'Unrecognized request' })
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}

/** A loopback URL nothing listens on (a server was there and is gone). */
export async function unreachableUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
