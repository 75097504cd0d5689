// The package as a consumer gets it: `npm pack` (which builds dist/), then the
// tarball installed into a fresh project from the npm cache, then plain node
// and the consumer's tsc. The slowest test of the default run (~30 s).
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { REPO, spawnCli } from '../cli/spawn.js'

const run = promisify(execFile)
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
const TSC = join(REPO, 'node_modules/typescript/bin/tsc')

interface Packed { filename: string; size: number; unpackedSize: number; entryCount: number; files: { path: string }[] }

const test = suite<{ dir: string; project: string; packed: Packed }>('package (npm pack → install → node, tsc)')

test.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'userdir-pkg-'))
  const { stdout } = await run(NPM, ['pack', '--json', '--pack-destination', ctx.dir], { cwd: REPO, maxBuffer: 64 * 1024 * 1024 })
  // npm prints prepack's output first; the JSON array is the last thing on stdout.
  ctx.packed = (JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as Packed[])[0]
  ctx.project = join(ctx.dir, 'consumer')
  await run('mkdir', [ctx.project])
  writeFileSync(join(ctx.project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }))
  // The consumer's own @types/node at the version the repo locks: it is in the npm cache, and npm dedupes ours onto it.
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }
  const typesNode = lock.packages['node_modules/@types/node'].version
  await run(NPM, ['install', '--prefer-offline', '--no-audit', '--no-fund', join(ctx.dir, ctx.packed.filename), `@types/node@${typesNode}`], { cwd: ctx.project })
})

test.after((ctx) => {
  rmSync(ctx.dir, { recursive: true, force: true })
})

test('the tarball holds dist/, LICENSE, README, docs and examples, and no tests, benchmarks, snapshots or sources', ({ packed }) => {
  const paths = packed.files.map((file) => file.path)
  console.log(`  tarball ${(packed.size / 1024).toFixed(0)} kB, unpacked ${(packed.unpackedSize / 1024).toFixed(0)} kB, ${packed.entryCount} files`)
  for (const needed of ['dist/index.js', 'dist/index.d.ts', 'dist/index.js.map', 'dist/esm-only.cjs', 'dist/cli/main.js', 'bin/userdir.js', 'LICENSE', 'README.md', 'package.json', 'docs/deployment.md', 'examples/config.yaml']) {
    assert.ok(paths.includes(needed), needed)
  }
  const stray = paths.filter((path) => /^(test|bench|snapshots|src)\//.test(path) || path.endsWith('.ts') && !path.endsWith('.d.ts') && !path.endsWith('.d.cts'))
  assert.equal(stray, [])
  assert.ok(packed.size < 1024 * 1024, `tarball ${packed.size} bytes`)
  assert.match(readFileSync(join(REPO, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/)
})

test("the README's engine example runs under plain node and prints the search answer", async ({ project }) => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8')
  const block = /## Using the engine\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  assert.ok(block !== undefined, 'README has the engine example')
  const lines = block.trimEnd().split('\n')
  const last = lines.pop() as string
  const call = /^await (dir\.search\([^)]*\))/.exec(last)?.[1]
  assert.ok(call !== undefined, `the example ends with a search: ${last}`)
  writeFileSync(join(project, 'readme.mjs'), `${lines.join('\n')}\nconsole.log(JSON.stringify(await ${call}))\nawait dir.close()\n`)
  const { stdout } = await run(process.execPath, ['readme.mjs'], { cwd: project })
  assert.equal(JSON.parse(stdout), { limited: false, results: [{ user_id: '@alice:example.org', display_name: 'Alice', avatar_url: null }] })
})

test('TestHomeserver works, and createServer answers a search over HTTP', async ({ project }) => {
  writeFileSync(join(project, 'server.mjs'), `
import { TestHomeserver, createServer, stopServer } from 'matrix-userdir'
const hs = await TestHomeserver.create({ serverName: 'test' })
const alice = await hs.registerUser('alice', { displayName: 'Alice' })
const bob = await hs.registerUser('bob', { displayName: 'Bob' })
const room = await hs.createRoom(alice, { isPublic: true })
await hs.join(room, bob)
const direct = await hs.search(alice, 'bo')
const server = createServer(hs.directory, { accessTokens: { secret: alice } })
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const response = await fetch('http://127.0.0.1:' + server.address().port + '/_matrix/client/v3/user_directory/search', {
  method: 'POST', headers: { Authorization: 'Bearer secret' }, body: JSON.stringify({ search_term: 'bo', limit: '5' }),
})
console.log(JSON.stringify({ direct, status: response.status, body: await response.json() }))
await stopServer(server)
await hs.close()
`)
  const { stdout } = await run(process.execPath, ['server.mjs'], { cwd: project })
  const bob = { user_id: '@bob:test', display_name: 'Bob', avatar_url: null }
  assert.equal(JSON.parse(stdout), { direct: { limited: false, results: [bob] }, status: 200, body: { limited: false, results: [bob] } })
})

test("require() says in one line that the package is ESM only; import() from CommonJS works", async ({ project }) => {
  writeFileSync(join(project, 'req.cjs'), "require('matrix-userdir')\n")
  const failed = await run(process.execPath, ['req.cjs'], { cwd: project }).then(() => null, (error: { code: number; stderr: string }) => error)
  assert.ok(failed !== null, 'require must fail')
  assert.match(failed.stderr, /matrix-userdir is ESM only: use import/)
  writeFileSync(join(project, 'imp.cjs'), "import('matrix-userdir').then((m) => console.log(typeof m.UserDirectory.open))\n")
  assert.is((await run(process.execPath, ['imp.cjs'], { cwd: project })).stdout.trim(), 'function')
})

test('the CLI runs under plain node: --help, and serve --demo answers a search', async ({ project }) => {
  const bin = join(project, 'node_modules/.bin/userdir')
  const help = await run(process.execPath, [bin, '--help'], { cwd: project })
  assert.match(help.stdout, /^usage: userdir serve/)
  const cli = spawnCli(process.execPath, [bin, 'serve', '--demo'], { cwd: project, env: { USERDIR_LISTEN_PORT: '0', USERDIR_DATA_PATH: '' } })
  const listening = await cli.waitForLog((line) => typeof line.port === 'number')
  const response = await fetch(`${listening.url as string}/_matrix/client/v3/user_directory/search`, {
    method: 'POST',
    headers: { Authorization: 'Bearer userdir-demo-token' },
    body: JSON.stringify({ search_term: 'ali', limit: 2 }),
  })
  assert.is(response.status, 200)
  assert.is(((await response.json()) as { results: unknown[] }).results.length, 2)
  cli.child.kill('SIGTERM')
  assert.is((await cli.exited).code, 0)
})

test('the declarations compile in a strict consumer (nodenext and bundler, with and without node types, skipLibCheck off)', async ({ project }) => {
  writeFileSync(join(project, 'consumer.ts'), `
import { UserDirectory, UserDirectoryError, TestHomeserver, createServer, stopServer } from 'matrix-userdir'
import type { SearchResults, ServerOptions, StateDelta, UserDirectoryOptions } from 'matrix-userdir'
const options: UserDirectoryOptions = { serverName: 'example.org' }
const dir = await UserDirectory.open(options)
const deltas: StateDelta[] = [{ room_id: '!r:example.org', type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' } }]
await dir.ingest(deltas, { position: 1 })
const found: SearchResults = await dir.search('@alice:example.org', 'ali')
const first: string | undefined = found.results[0]?.display_name ?? undefined
const serverOptions: ServerOptions = { accessTokens: { t: '@alice:example.org' } }
const server = createServer(dir, serverOptions)
await stopServer(server)
const hs = await TestHomeserver.create()
export const out = [first, hs.serverName, UserDirectoryError.name]
`)
  const strict = { strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: false, noEmit: true, target: 'es2022' }
  const variants = {
    'nodenext, no node types': { ...strict, module: 'nodenext', moduleResolution: 'nodenext', types: [] },
    'nodenext, node types': { ...strict, module: 'nodenext', moduleResolution: 'nodenext' },
    'bundler, no node types': { ...strict, module: 'esnext', moduleResolution: 'bundler', types: [] },
    'bundler, node types': { ...strict, module: 'esnext', moduleResolution: 'bundler' },
  }
  const results = await Promise.all(Object.entries(variants).map(async ([name, compilerOptions], i) => {
    writeFileSync(join(project, `tsconfig.${i}.json`), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }))
    return run(process.execPath, [TSC, '-p', `tsconfig.${i}.json`], { cwd: project }).then(
      () => `${name}: ok`,
      (error: { stdout: string }) => `${name}: ${error.stdout}`,
    )
  }))
  assert.equal(results, Object.keys(variants).map((name) => `${name}: ok`))
})

test.run()
