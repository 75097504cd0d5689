// Connection floods and slow clients (issue 19 item 5): the server holds at
// most `maxConnections`, closes slow-header clients after
// `headersTimeoutMs` so a fresh client is answered, and `stopServer`
// finishes within `shutdownTimeoutMs` whatever the clients attached do.
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import type { Server } from 'node:http'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { seededDirectory, TOKENS } from './fixtures.js'
import { start } from './harness.js'

const test = suite('src/http/create-server.ts connection limits')

interface Slow {
  socket: Socket
  received: string
  closed: Promise<void>
}

// A client that connects and sends `text` (never a whole request), and
// records what comes back until the server closes the connection.
async function slowClient(url: string, text: string): Promise<Slow> {
  const { hostname, port } = new URL(url)
  const socket = connect(Number(port), hostname)
  const slow: Slow = { socket, received: '', closed: new Promise((resolve) => socket.once('close', () => resolve())) }
  socket.on('data', (chunk: Buffer) => (slow.received += chunk.toString()))
  socket.on('error', () => {}) // a reset is how a refused connection may end
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  socket.write(text)
  return slow
}

function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))))
}

async function health(url: string): Promise<number | string> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).status
  } catch (error) {
    return (error as Error).name
  }
}

const PARTIAL_HEADERS = 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: '

test('a flood of slow-header clients: the limit holds, they get 408 and close, then a fresh client is answered', async () => {
  const dir = await seededDirectory()
  const service = await start(dir, { accessTokens: { ...TOKENS }, maxConnections: 4, headersTimeoutMs: 400, requestTimeoutMs: 800 })
  try {
    const held = await Promise.all(Array.from({ length: 4 }, () => slowClient(service.url, PARTIAL_HEADERS)))
    const extra = await Promise.all(Array.from({ length: 4 }, () => slowClient(service.url, PARTIAL_HEADERS)))
    // The connections over the limit are closed at once, unanswered.
    await Promise.all(extra.map((c) => c.closed))
    assert.ok(extra.every((c) => c.received === ''))
    assert.ok((await connections(service.server)) <= 4)
    assert.not.equal(await health(service.url), 200)
    // The held ones time out (408) and close; then the server answers again.
    await Promise.all(held.map((c) => c.closed))
    assert.ok(held.every((c) => c.received.startsWith('HTTP/1.1 408')), held.map((c) => c.received).join('|'))
    assert.is(await health(service.url), 200)
  } finally {
    await service.stop()
    await dir.close()
  }
})

test('a client sending its body too slowly is cut off after requestTimeoutMs', async () => {
  const dir = await seededDirectory()
  const service = await start(dir, { accessTokens: { ...TOKENS }, headersTimeoutMs: 200, requestTimeoutMs: 500 })
  try {
    const slow = await slowClient(service.url, 'POST /_matrix/client/v3/user_directory/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\nContent-Length: 100\r\n\r\n{"sea')
    const dribble = setInterval(() => slow.socket.write(' '), 50)
    await slow.closed
    clearInterval(dribble)
    assert.ok(slow.received.startsWith('HTTP/1.1 408'), slow.received)
  } finally {
    await service.stop()
    await dir.close()
  }
})

test('stopServer finishes within shutdownTimeoutMs with slow clients attached', async () => {
  const dir = await seededDirectory()
  // Timeouts far away: only the shutdown deadline can end these clients.
  const service = await start(dir, { accessTokens: { ...TOKENS }, headersTimeoutMs: 60_000, requestTimeoutMs: 120_000, shutdownTimeoutMs: 300 })
  try {
    const headers = await slowClient(service.url, PARTIAL_HEADERS)
    const body = await slowClient(service.url, 'POST /_matrix/client/v3/user_directory/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\nContent-Length: 1000\r\n\r\n{"sea')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = performance.now()
    await service.stop()
    const tookMs = performance.now() - started
    await Promise.all([headers.closed, body.closed])
    assert.ok(tookMs >= 250, `stopped after ${tookMs} ms, before the deadline`)
    assert.ok(tookMs < 3_000, `stopped after ${tookMs} ms`)
  } finally {
    await dir.close()
  }
})

test('stopServer closes a connection as soon as a refused body has been read, not at the keep-alive timeout', async () => {
  const dir = await seededDirectory()
  const service = await start(dir, { accessTokens: { ...TOKENS }, maxBodyBytes: 100, keepAliveTimeoutMs: 60_000, shutdownTimeoutMs: 30_000 })
  try {
    const client = await slowClient(service.url, 'POST /_matrix/client/v3/user_directory/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer alice\r\nTransfer-Encoding: chunked\r\n\r\n')
    client.socket.write(`c8\r\n${'a'.repeat(200)}\r\n`)
    while (!client.received.includes('M_TOO_LARGE')) await new Promise((resolve) => setTimeout(resolve, 10))
    const stopping = service.stop()
    client.socket.write('0\r\n\r\n')
    const started = performance.now()
    await stopping
    assert.ok(performance.now() - started < 2_000)
    assert.ok(client.received.startsWith('HTTP/1.1 413'))
  } finally {
    await dir.close()
  }
})

test.run()
