// A bare appservice on loopback for the emulator's own tests: records every
// transaction PUT and ping it gets and answers with `status` (200 by default).
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedTransaction {
  txnId: string
  authorization: string | undefined
  body: { events: Record<string, unknown>[] }
}

export class AsReceiver {
  readonly url: string
  readonly received: ReceivedTransaction[] = []
  readonly pings: { authorization: string | undefined; body: unknown }[] = []
  /** What transactions and pings are answered with. */
  status = 200
  readonly #server: Server

  private constructor(server: Server) {
    this.#server = server
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  static async start(): Promise<AsReceiver> {
    let receiver: AsReceiver | undefined
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        const path = req.url ?? ''
        const txn = /^\/_matrix\/app\/v1\/transactions\/([^/?]+)/.exec(path)
        if (txn !== null && req.method === 'PUT' && receiver !== undefined) {
          receiver.received.push({ txnId: decodeURIComponent(txn[1]), authorization: req.headers.authorization, body: JSON.parse(text) as ReceivedTransaction['body'] })
        } else if (path === '/_matrix/app/v1/ping' && receiver !== undefined) {
          receiver.pings.push({ authorization: req.headers.authorization, body: JSON.parse(text) as unknown })
        }
        res.writeHead(receiver?.status ?? 500, { 'Content-Type': 'application/json' })
        res.end('{}')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    receiver = new AsReceiver(server)
    return receiver
  }

  /** Events of every transaction answered 200, in order (a retried transaction counted once). */
  events(): Record<string, unknown>[] {
    return this.received.filter((t, i, all) => all.findIndex((o) => o.txnId === t.txnId) === i).flatMap((t) => t.body.events)
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}
