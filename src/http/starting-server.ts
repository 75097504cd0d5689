import { createServer as createNodeServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { sendJson, setCorsHeaders } from './respond.js'

/** The placeholder that holds the port while the directory opens: see {@link listenWhileStarting}. */
export interface StartingServer {
  /** The port it listens on (the one asked for, or the one the OS chose for 0). */
  port: number
  /** Stops listening and drops its connections at once, freeing the port for the real server. */
  close(): void
}

/** How long, in seconds, a client is told to wait while the directory opens. */
const STARTING_RETRY_AFTER_S = 1

/**
 * Listens on the service's address before the directory is open, so that a
 * restart is a few seconds of fast `503`s rather than refused connections:
 * `GET /health` answers 503 `{"status":"starting"}` and every other request
 * 503 `M_UNKNOWN` with `Retry-After`, which a reverse proxy turns into a
 * search on Synapse (docs/deployment.md, "The reverse proxy") and Synapse
 * into a later retry of its appservice transaction. Bodies are not read; each
 * answer closes its connection. A port already in use fails here, before the
 * store is opened.
 */
export async function listenWhileStarting(port: number, address: string): Promise<StartingServer> {
  const server: Server = createNodeServer((req, res) => {
    res.setHeader('connection', 'close')
    if (req.method === 'OPTIONS') {
      setCorsHeaders(res)
      res.statusCode = 204
      res.end()
      return
    }
    res.setHeader('retry-after', String(STARTING_RETRY_AFTER_S))
    const path = (req.url ?? '/').split('?')[0]
    if (path === '/health') sendJson(res, 503, { status: 'starting', reason: 'opening the directory' })
    else sendJson(res, 503, { errcode: 'M_UNKNOWN', error: 'The user directory is starting; try again shortly.', retry_after_ms: STARTING_RETRY_AFTER_S * 1000 })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, address, () => {
      server.off('error', reject)
      resolve()
    })
  })
  let open = true
  return {
    port: (server.address() as AddressInfo).port,
    close() {
      if (!open) return
      open = false
      server.close()
      server.closeAllConnections()
    },
  }
}
