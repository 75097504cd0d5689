import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../src/index.js'
import { ConfigError } from '../../src/cli/index.js'
import { loadRegistrations } from '../../src/cli/registrations.js'

const test = suite('src/cli/registrations.ts')

test('examples/registration.yaml claims no users and names its sender', () => {
  assert.equal(loadRegistrations(['examples/registration.yaml'], 'example.org'), [{ id: 'userdir', sender: '@userdir:example.org', namespaces: { users: [] } }])
})

test("a bridge's sender and user namespace are kept out of the directory", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'userdir-reg-'))
  try {
    const path = join(dir, 'irc.yaml')
    writeFileSync(path, 'id: irc\nsender_localpart: ircbot\nnamespaces:\n  users:\n    - exclusive: true\n      regex: "@irc_.*"\n')
    const directory = await UserDirectory.open({ serverName: 'test', appservices: loadRegistrations([path], 'test') })
    for (const userId of ['@ircbot:test', '@irc_alice:test', '@alice:test']) {
      await directory.registerLocalUser(userId, {})
      await directory.handleLocalProfileChange(userId, { displayName: 'x', avatarUrl: null })
    }
    assert.equal([...directory.tables().users.keys()], ['@alice:test'])
    await directory.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a missing file or one without sender_localpart is a ConfigError', () => {
  assert.throws(() => loadRegistrations(['/nonexistent/reg.yaml'], 'test'), (e: unknown) => e instanceof ConfigError && /cannot read \/nonexistent\/reg\.yaml/.test(e.message))
  const dir = mkdtempSync(join(tmpdir(), 'userdir-reg-'))
  try {
    writeFileSync(join(dir, 'r.yaml'), 'id: x\n')
    assert.throws(() => loadRegistrations([join(dir, 'r.yaml')], 'test'), (e: unknown) => e instanceof ConfigError && /needs an id and a sender_localpart/.test(e.message))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
