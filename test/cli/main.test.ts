import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { REPO, TSX, spawnCli } from './spawn.js'

const test = suite<{ cwd: string }>('src/cli/main.ts')

test.before.each((ctx) => {
  ctx.cwd = mkdtempSync(join(tmpdir(), 'userdir-cli-'))
})
test.after.each((ctx) => {
  rmSync(ctx.cwd, { recursive: true, force: true })
})

test('npm start on a fresh clone answers a search with the demo token, then exits 0 on SIGTERM', async ({ cwd }) => {
  // `npm start` is `tsx src/cli/main.ts`; run from an empty directory so ./data lands there.
  const cli = spawnCli(TSX, [resolve(REPO, 'src/cli/main.ts')], { cwd, env: { USERDIR_LISTEN_PORT: '0' } })
  const listening = await cli.waitForLog((line) => typeof line.port === 'number')
  const demo = await cli.waitForLog((line) => typeof line.demoToken === 'string')
  const response = await fetch(`${listening.url as string}/_matrix/client/v3/user_directory/search`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${demo.demoToken as string}` },
    body: JSON.stringify({ search_term: 'ali', limit: 3 }),
  })
  assert.is(response.status, 200)
  const body = (await response.json()) as { limited: boolean; results: { display_name: string }[] }
  assert.is(body.results.length, 3)
  assert.match(body.results[0].display_name, /^Alice/)
  assert.ok(existsSync(join(cwd, 'data')))
  cli.child.kill('SIGTERM')
  const { code, stderr } = await cli.exited
  assert.is(code, 0, stderr)
  assert.match((await cli.waitForLog((line) => line.msg === 'stopped')).msg as string, /stopped/)
})

// bin/userdir.js runs the compiled dist/; test/package/ runs it from the packed tarball.
test('userdir serve --config runs the example config with environment overrides', async ({ cwd }) => {
  const cli = spawnCli(TSX, [resolve(REPO, 'src/cli/main.ts'), 'serve', '--config', resolve(REPO, 'examples/config.yaml')], {
    cwd,
    env: { USERDIR_LISTEN_PORT: '0', USERDIR_DATA_PATH: join(cwd, 'store'), USERDIR_ADMIN_TOKEN: 'adm' },
  })
  const listening = await cli.waitForLog((line) => typeof line.port === 'number')
  assert.is(listening.serverName, 'example.org')
  const stats = await fetch(`${listening.url as string}/_userdir/admin/v1/stats`, { headers: { Authorization: 'Bearer adm' } })
  assert.is(stats.status, 200)
  assert.is(((await stats.json()) as { entries: number }).entries, 0)
  cli.child.kill('SIGINT')
  assert.is((await cli.exited).code, 0)
})

test('an invalid option stops start-up with one line naming it and exit code 1', async ({ cwd }) => {
  const path = join(cwd, 'userdir.yaml')
  writeFileSync(path, 'server_name: example.org\nuser_directory:\n  search_all_users: sometimes\n')
  const cli = spawnCli(TSX, [resolve(REPO, 'src/cli/main.ts'), 'serve', '--config', path], { cwd, env: {} })
  const { code, stderr, stdout } = await cli.exited
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.is(stderr, `userdir: ${path}: user_directory.search_all_users must be true or false, got "sometimes"\n`)
})

test('a config file without homeserver_url or access_tokens stops start-up with one line saying what to set', async ({ cwd }) => {
  const path = join(cwd, 'userdir.yaml')
  writeFileSync(path, 'server_name: example.org\n')
  const cli = spawnCli(TSX, [resolve(REPO, 'src/cli/main.ts'), 'serve', '--config', path], { cwd, env: { USERDIR_LISTEN_PORT: '0' } })
  const { code, stderr, stdout } = await cli.exited
  assert.is(code, 1)
  assert.is(stdout, '')
  assert.is(stderr, `userdir: ${path}: no way to check access tokens: set homeserver_url (or USERDIR_HOMESERVER_URL), or access_tokens for a fixed set of users\n`)
  assert.not.ok(existsSync(join(cwd, 'data')), 'no store created, no demo seeded')
})

test.run()
