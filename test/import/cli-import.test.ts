// `userdir import` through runCli, as an operator runs it: a config file, a
// token file, a fake Synapse on loopback.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli } from '../../src/cli/index.js'
import type { CliProcess } from '../../src/cli/index.js'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { ADMIN_TOKEN, FakeSynapse, SERVER_NAME, USER_TOKEN, feedDirectly } from './fake-synapse.js'

const test = suite('src/cli/import-command.ts')

function fakeProcess(argv: string[], tty: boolean) {
  const out: string[] = []
  const err: string[] = []
  const raw: string[] = []
  const exits: number[] = []
  const proc: CliProcess = {
    argv,
    env: { USERDIR_LOG_LEVEL: 'silent' },
    printError: (line) => err.push(line),
    printOut: (line) => out.push(line),
    writeError: (text) => raw.push(text),
    stderrIsTty: tty,
    onStopSignal: () => {},
    exit: (code) => exits.push(code),
  }
  return { proc, out, err, raw, exits }
}

test('import fills data_path with a bar on a terminal and a summary; a wrong or non-admin token is one line and exit 1', async () => {
  const hs = await new FakeSynapse({ users: 300, rooms: 40, seed: 3 }).start()
  const dir = mkdtempSync(join(tmpdir(), 'userdir-cli-import-'))
  try {
    const dataPath = join(dir, 'data')
    const config = join(dir, 'config.yaml')
    writeFileSync(config, `server_name: ${SERVER_NAME}\ndata_path: ${dataPath}\n`)
    const tokenFile = join(dir, 'token')
    writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`)

    const run = fakeProcess(['import', '--homeserver', hs.url, '--admin-token-file', tokenFile, '--config', config], true)
    await runCli(run.proc)
    assert.equal(run.err, [])
    assert.equal(run.exits, [0])
    assert.match(run.out[0], /^import done in \d+:\d\d$/)
    assert.match(run.out.join('\n'), /users, 40 rooms read in \d+ pages, 0 requests retried/)
    assert.ok(run.raw.some((text) => text.includes('users ') && text.includes('rooms ')), 'a progress bar on stderr')
    assert.match(run.raw[run.raw.length - 1], /· done\n$/)

    const clock = new FakeClock()
    const imported = await UserDirectory.open({ serverName: SERVER_NAME, path: dataPath, clock })
    const expected = await UserDirectory.open({ serverName: SERVER_NAME, clock })
    await feedDirectly(expected, hs)
    // Stale marks carry the time they were set (the CLI's real clock); the rest must match exactly.
    const { staleRemoteUsers: a, ...importedTables } = imported.tables()
    const { staleRemoteUsers: b, ...expectedTables } = expected.tables()
    assert.equal(importedTables, expectedTables)
    assert.equal(a.map((s) => s.userId), b.map((s) => s.userId))
    await imported.close()
    await expected.close()

    for (const [token, line] of [
      ['syt_wrong', /^userdir: import failed: the homeserver rejected the admin token \(401 M_UNKNOWN_TOKEN: Invalid access token passed\.\); check the token file$/],
      [USER_TOKEN, /^userdir: import failed: the token is not a server admin's \(403 M_FORBIDDEN: You are not a server admin\); use an access token of a user with admin rights$/],
    ] as const) {
      writeFileSync(tokenFile, token)
      const bad = fakeProcess(['import', `--homeserver=${hs.url}`, '--admin-token-file', tokenFile, '--config', config, '--reconcile'], false)
      await runCli(bad.proc)
      assert.is(bad.err.length, 1)
      assert.match(bad.err[0].replace('reconcile failed', 'import failed'), line)
      assert.equal(bad.out, [])
      assert.equal(bad.exits, [1])
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await hs.stop()
  }
})

test('import without a token file or homeserver says which is missing', async () => {
  const none = fakeProcess(['import', '--homeserver', 'http://127.0.0.1:9'], false)
  none.proc.env = { USERDIR_SERVER_NAME: SERVER_NAME }
  await runCli(none.proc)
  assert.equal(none.err, ['userdir: import needs --admin-token-file <file> (or synapse_admin_token_file in the config)'])
  const noHs = fakeProcess(['import', '--admin-token-file', '/nonexistent'], false)
  noHs.proc.env = { USERDIR_SERVER_NAME: SERVER_NAME }
  await runCli(noHs.proc)
  assert.equal(noHs.err, ['userdir: import needs --homeserver <url> (or homeserver_url in the config)'])
  const missing = fakeProcess(['import', '--homeserver', 'http://127.0.0.1:9', '--admin-token-file', '/nonexistent/token'], false)
  missing.proc.env = { USERDIR_SERVER_NAME: SERVER_NAME }
  await runCli(missing.proc)
  assert.equal(missing.err, ['userdir: --admin-token-file: cannot read /nonexistent/token: ENOENT'])
  assert.equal([none.exits, noHs.exits, missing.exits], [[1], [1], [1]])
})

test.run()
