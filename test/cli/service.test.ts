import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectoryError } from '../../src/index.js'
import { resolveConfig, startService } from '../../src/cli/index.js'

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
  const config = resolveConfig({ server_name: 'example.org', data_path: join(cwd, 'db'), demo: false, listen: { port: 0 } }, {})
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
  const config = resolveConfig({ data_path: null, listen: { port: 0 } }, {})
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
  const first = await startService(resolveConfig({ data_path: null, demo: false, server_name: 'a', listen: { port: 0 } }, {}), capture(lines))
  try {
    let failed = false
    try {
      await startService(resolveConfig({ data_path: null, demo: false, server_name: 'a', listen: { port: first.port } }, {}), capture(lines))
    } catch (error) {
      failed = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    }
    assert.ok(failed)
  } finally {
    await first.stop()
  }
})

test.run()
