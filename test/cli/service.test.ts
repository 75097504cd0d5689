import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer as createNetServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectoryError } from '../../src/index.js'
import { ConfigError, DEMO_MARKER, resolveConfig, startService } from '../../src/cli/index.js'

const test = suite<{ cwd: string; lines: Record<string, unknown>[] }>('src/cli/service.ts')

test.before.each((ctx) => {
  ctx.cwd = mkdtempSync(join(tmpdir(), 'userdir-svc-'))
  ctx.lines = []
})
test.after.each((ctx) => {
  rmSync(ctx.cwd, { recursive: true, force: true })
})

function capture(lines: Record<string, unknown>[]) {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) if (text !== '') lines.push(JSON.parse(text) as Record<string, unknown>)
      done()
    },
  })
  return pino({ level: 'info' }, stream)
}

test('a data_path opens LMDB, or falls back to memory with a warning while this build has no persistence', async ({ cwd, lines }) => {
  const config = resolveConfig({ server_name: 'example.org', data_path: join(cwd, 'db'), demo: false, access_tokens: { t: '@a:example.org' }, listen: { port: 0 } }, {})
  const service = await startService(config, capture(lines))
  try {
    const fellBack = lines.some((line) => line.level === 40 && /running memory-only/.test(String(line.msg)))
    const opened = lines.some((line) => line.msg === 'directory opened')
    assert.ok(fellBack !== opened, 'exactly one of: opened the store, fell back to memory')
    assert.is((await fetch(`${service.url}/health`)).status, 200)
  } finally {
    await service.stop()
  }
})

test('without a homeserver the demo is seeded and its token searches; stop closes the directory', async ({ lines }) => {
  const config = resolveConfig({ data_path: null, listen: { port: 0 }, demo: true }, {})
  const service = await startService(config, capture(lines))
  const seeded = lines.find((line) => typeof line.localUsers === 'number')
  assert.ok(seeded !== undefined)
  const response = await fetch(`${service.url}/_matrix/client/r0/user_directory/search`, {
    method: 'POST',
    headers: { Authorization: 'Bearer userdir-demo-token' },
    body: JSON.stringify({ search_term: 'grace' }),
  })
  assert.is(response.status, 200)
  assert.ok(((await response.json()) as { results: unknown[] }).results.length > 0)
  await service.stop()
  const error = await service.directory.search('@demo:localhost', 'x').catch((e: unknown) => e)
  assert.instance(error, UserDirectoryError)
})

test('a port already in use fails start-up and closes the directory', async ({ lines }) => {
  const first = await startService(resolveConfig({ data_path: null, demo: false, server_name: 'a', access_tokens: { t: '@t:a' }, listen: { port: 0 } }, {}), capture(lines))
  try {
    let failed = false
    try {
      await startService(resolveConfig({ data_path: null, demo: false, server_name: 'a', access_tokens: { t: '@t:a' }, listen: { port: first.port } }, {}), capture(lines))
    } catch (error) {
      failed = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    }
    assert.ok(failed)
  } finally {
    await first.stop()
  }
})

async function searchStatus(url: string, token: string): Promise<{ status: number; errcode: unknown }> {
  const response = await fetch(`${url}/_matrix/client/v3/user_directory/search`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{"search_term":"ali"}' })
  return { status: response.status, errcode: ((await response.json()) as { errcode?: unknown }).errcode }
}

test('a configured service on a store with real data seeds no demo rows and refuses the demo token; --demo on it is refused', async ({ cwd, lines }) => {
  const dataPath = join(cwd, 'store')
  const real = { server_name: 'example.org', data_path: dataPath, access_tokens: { 'real-token': '@bob:example.org' }, listen: { port: 0 } }
  const first = await startService(resolveConfig(real, {}), capture(lines))
  await first.directory.registerLocalUser('@bob:example.org', {})
  await first.directory.handleLocalProfileChange('@bob:example.org', { displayName: 'Bob', avatarUrl: null })
  await first.stop()
  const second = await startService(resolveConfig(real, {}), capture(lines))
  try {
    assert.is(second.directory.stats().localUsers, 1)
    assert.is(second.directory.stats().entries, 1)
    assert.not.ok(lines.some((line) => typeof line.localUsers === 'number'), 'no demo seeding logged')
    // Not a known token, and no homeserver to ask: 503, never 401.
    assert.equal(await searchStatus(second.url, 'userdir-demo-token'), { status: 503, errcode: 'M_UNKNOWN' })
    assert.is((await searchStatus(second.url, 'real-token')).status, 200)
  } finally {
    await second.stop()
  }
  const error = await startService(resolveConfig({ ...real, demo: true }, {}), capture(lines)).catch((e: unknown) => e)
  assert.instance(error, ConfigError)
  assert.match((error as Error).message, /already holds a directory that is not the demo/)
  assert.not.ok(existsSync(join(dataPath, DEMO_MARKER)))
})

test('a store the demo was seeded into is marked: the demo reopens it, a configured service refuses it', async ({ cwd, lines }) => {
  const dataPath = join(cwd, 'store')
  const demo = await startService(resolveConfig(null, { USERDIR_DATA_PATH: dataPath, USERDIR_LISTEN_PORT: '0' }), capture(lines))
  const seeded = demo.directory.stats().entries
  assert.ok(seeded > 100)
  await demo.stop()
  assert.ok(existsSync(join(dataPath, DEMO_MARKER)))
  const again = await startService(resolveConfig(null, { USERDIR_DATA_PATH: dataPath, USERDIR_LISTEN_PORT: '0' }), capture(lines))
  assert.is(again.directory.stats().entries, seeded)
  assert.is((await searchStatus(again.url, 'userdir-demo-token')).status, 200)
  await again.stop()
  const configured = { server_name: 'example.org', data_path: dataPath, homeserver_url: 'http://127.0.0.1:1', listen: { port: 0 } }
  const error = await startService(resolveConfig(configured, {}), capture(lines)).catch((e: unknown) => e)
  assert.instance(error, ConfigError)
  assert.match((error as Error).message, /holds the generated demo directory/)
})

test('homeserver down: an unknown token is 502 M_UNKNOWN, not 401 (which logs clients out)', async ({ lines }) => {
  // A port that was free a moment ago: nothing listens there.
  const probe = createNetServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const port = (probe.address() as { port: number }).port
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  const config = resolveConfig({ server_name: 'example.org', data_path: null, homeserver_url: `http://127.0.0.1:${port}`, log_level: 'silent', listen: { port: 0 } }, {})
  const service = await startService(config, capture(lines))
  try {
    assert.equal(await searchStatus(service.url, 'some-real-users-token'), { status: 502, errcode: 'M_UNKNOWN' })
    assert.is((await searchStatus(service.url, 'userdir-demo-token')).status, 502, 'no demo token outside demo mode')
  } finally {
    await service.stop()
  }
})

test.run()
