// The service holds its port from the first moment: while the directory
// opens (22 s at 1M users from LMDB), /health and every route answer 503
// with Retry-After, which a reverse proxy turns into a search on Synapse.
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { openDirectory, resolveConfig, startService } from '../../src/cli/index.js'
import type { UserDirectory } from '../../src/index.js'

const test = suite('src/cli/service.ts: listening while the directory opens')

const quiet = () => pino({ level: 'silent' }, new Writable({ write: (_c, _e, done) => done() }))
const config = () => resolveConfig({ server_name: 'hs.test', data_path: null, demo: false, access_tokens: { tok: '@a:hs.test' }, listen: { port: 0, address: '127.0.0.1' } }, {})

/** An openDirectory that waits for `release()` and reports the port the service listens on. */
function gatedOpen() {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let opening!: () => void
  const started = new Promise<void>((resolve) => (opening = resolve))
  return {
    release,
    started,
    open: async (...args: Parameters<typeof openDirectory>): Promise<UserDirectory> => {
      opening()
      await gate
      return openDirectory(...args)
    },
  }
}

async function listeningPort(lines: string[]): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const line = lines.find((l) => l.includes('answering 503'))
    if (line !== undefined) return (JSON.parse(line) as { startingPort: number }).startingPort
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error('no "answering 503" line')
}

function capture(lines: string[]) {
  return pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _e, done) => { lines.push(...chunk.toString().split('\n').filter((l) => l !== '')); done() } }))
}

test('while the directory opens: /health 503 starting, search and transactions 503 M_UNKNOWN with Retry-After; then 200', async () => {
  const lines: string[] = []
  const gated = gatedOpen()
  const pending = startService(config(), capture(lines), { openDirectory: gated.open })
  await gated.started
  const port = await listeningPort(lines)
  const base = `http://127.0.0.1:${port}`

  const health = await fetch(`${base}/health`)
  assert.is(health.status, 503)
  assert.equal(await health.json(), { status: 'starting', reason: 'opening the directory' })
  assert.is(health.headers.get('retry-after'), '1')

  const search = await fetch(`${base}/_matrix/client/v3/user_directory/search`, { method: 'POST', headers: { authorization: 'Bearer tok' }, body: '{"search_term":"a"}' })
  assert.is(search.status, 503)
  assert.is(search.headers.get('retry-after'), '1')
  const body = (await search.json()) as { errcode: string; retry_after_ms: number }
  assert.is(body.errcode, 'M_UNKNOWN')
  assert.is(body.retry_after_ms, 1000)

  const txn = await fetch(`${base}/_matrix/app/v1/transactions/1`, { method: 'PUT', body: '{"events":[]}' })
  assert.is(txn.status, 503, 'Synapse keeps the transaction and retries it')

  gated.release()
  const service = await pending
  try {
    assert.is(service.port, port, 'the same port, handed over')
    assert.is((await fetch(`${base}/health`)).status, 200)
    const ok = await fetch(`${base}/_matrix/client/v3/user_directory/search`, { method: 'POST', headers: { authorization: 'Bearer tok' }, body: '{"search_term":"a"}' })
    assert.is(ok.status, 200)
  } finally {
    await service.stop()
  }
})

test('a directory that fails to open frees the port and rejects', async () => {
  const lines: string[] = []
  const failing = async (): Promise<UserDirectory> => {
    throw new Error('store is corrupt')
  }
  const error = await startService(config(), capture(lines), { openDirectory: failing }).catch((e: unknown) => e)
  assert.instance(error, Error)
  assert.is((error as Error).message, 'store is corrupt')
  const port = await listeningPort(lines)
  const refused = await fetch(`http://127.0.0.1:${port}/health`).then(() => false, () => true)
  assert.ok(refused, 'nothing listens after a failed start')
})

test('a port in use fails before the store is opened', async () => {
  const first = await startService(config(), quiet())
  try {
    let opened = false
    const inUse = resolveConfig({ server_name: 'hs.test', data_path: null, demo: false, access_tokens: { tok: '@a:hs.test' }, listen: { port: first.port, address: '127.0.0.1' } }, {})
    const error = await startService(inUse, quiet(), { openDirectory: async (...args) => { opened = true; return openDirectory(...args) } }).catch((e: unknown) => e)
    assert.is((error as NodeJS.ErrnoException).code, 'EADDRINUSE')
    assert.not.ok(opened)
  } finally {
    await first.stop()
  }
})

test.run()
