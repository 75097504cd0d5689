import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, loadConfig } from '../../src/cli/index.js'

const test = suite('src/cli/load-config.ts')

test('examples/config.yaml is a valid config', () => {
  const config = loadConfig('examples/config.yaml', {})
  assert.is(config.serverName, 'example.org')
  assert.equal(config.listen, { address: '127.0.0.1', port: 8090 })
  assert.is(config.homeserverUrl, 'http://127.0.0.1:8008')
  assert.is(config.demo, false)
  assert.equal(config.rateLimit, { perSecond: 0.016, burst: 200 })
  assert.is(config.appserviceId, 'userdir')
  assert.equal(config.follow, { enabled: true, debounceMs: 250, concurrency: 4, roomRecheckMs: 5_000, newUsersPollMs: 60_000, locksPollMs: 60_000, reconcileIntervalMs: 86_400_000, reconcileRequestsPerSecond: 20 }, 'the example states the defaults')
})

test('the environment overrides the file', () => {
  assert.is(loadConfig('examples/config.yaml', { USERDIR_LISTEN_PORT: '0' }).listen.port, 0)
})

test('a missing file or bad YAML is one line naming the file', () => {
  assert.throws(() => loadConfig('/nonexistent/userdir.yaml', {}), (e: unknown) => e instanceof ConfigError && e.message === 'cannot read the config file /nonexistent/userdir.yaml: ENOENT')
  const dir = mkdtempSync(join(tmpdir(), 'userdir-cfg-'))
  try {
    const path = join(dir, 'bad.yaml')
    writeFileSync(path, 'server_name: [unclosed\n')
    assert.throws(() => loadConfig(path, {}), (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${path}: not valid YAML`) && !e.message.includes('\n'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
