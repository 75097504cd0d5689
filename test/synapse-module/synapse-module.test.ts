// The Synapse module (synapse-module/) end to end: its Python unit tests, then
// the module in a python3 process, driven by a fake Synapse, pushing
// registrations, profile changes, deactivations and reactivations to a real
// service, whose search must then answer as a directory fed the same facts.
import { spawn, spawnSync } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import { join, resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../src/index.js'
import { createServer, stopServer } from '../../src/http/index.js'
import { start } from '../http/harness.js'
import type { Running } from '../http/harness.js'

const MODULE_DIR = resolve('synapse-module')
const ADMIN = 'admin-secret'
const SEARCHER = '@searcher:example.org'
const SEARCHER_TOKEN = 'searcher-token'
const OPTIONS = { serverName: 'example.org', searchAllUsers: true }

// python3 ≥ 3.9 (asyncio.to_thread, unittest.IsolatedAsyncioTestCase), or why not.
function pythonMissing(): string | null {
  const probe = spawnSync('python3', ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' })
  if (probe.error !== undefined) return `python3 cannot be run (${probe.error.message})`
  if (probe.status !== 0) return `python3 failed: ${probe.stderr.trim()}`
  const [major, minor] = probe.stdout.trim().split('.').map(Number)
  if (major < 3 || (major === 3 && minor < 9)) return `python3 is ${probe.stdout.trim()}, the module's tests need 3.9 or newer`
  return null
}

const missing = pythonMissing()
const test = suite('synapse-module')

if (missing !== null) {
  test('skipped: the Synapse module needs python3 ≥ 3.9', () => {
    console.log(`  synapse-module tests skipped: ${missing}`)
  })
} else {
  test('the module\'s Python unit tests pass (python3 -m unittest)', () => {
    const run = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', 'tests'], {
      cwd: MODULE_DIR,
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
      timeout: 60_000,
    })
    assert.is(run.status, 0, `python3 -m unittest failed:\n${run.stdout}\n${run.stderr}`)
    assert.match(run.stderr, /^OK/m)
  })

  test('pushes from the module leave the service answering as a directory fed the same facts', async () => {
    const dir = await UserDirectory.open(OPTIONS)
    const reference = await UserDirectory.open(OPTIONS)
    const service = await start(dir, { adminToken: ADMIN, accessTokens: { [SEARCHER_TOKEN]: SEARCHER }, rateLimit: false })
    const driver = new Driver(service.url)
    const delays: Record<string, number[]> = {}
    try {
      // Each step: what Synapse does (through the module), and the same facts fed to the reference.
      const step = async (kind: string, command: Record<string, unknown>, feed: () => Promise<void>): Promise<void> => {
        const answer = await driver.send(command)
        // A loose bound (a loaded machine); the unit tests hold a push open to show callbacks never wait for it.
        assert.ok(answer.callback_ms < 1000, `the ${kind} callback held Synapse for ${answer.callback_ms} ms`)
        const idle = await driver.send({ op: 'idle' })
        assert.is(idle.given_up, 0)
        if (idle.ms !== null) (delays[kind] ??= []).push(idle.ms)
        await feed()
        await sameAnswers(service, reference, `after ${kind} ${JSON.stringify(command)}`)
      }
      const local = (user: string, info: { userType?: string | null; deactivated?: boolean; locked?: boolean }, profile?: [string | null, string | null]) => async () => {
        await reference.registerLocalUser(user, info)
        if (profile !== undefined) await reference.handleLocalProfileChange(user, { displayName: profile[0], avatarUrl: profile[1] })
      }

      await step('registration', { op: 'register', user: SEARCHER, displayname: 'Searcher' }, local(SEARCHER, { userType: null, deactivated: false, locked: false }, ['Searcher', null]))
      await step('registration', { op: 'register', user: '@alice:example.org', displayname: 'Alice Liddell' }, local('@alice:example.org', { userType: null, deactivated: false, locked: false }, ['Alice Liddell', null]))
      await step('registration', { op: 'register', user: '@bob:example.org', displayname: 'Bob Alison' }, local('@bob:example.org', { userType: null, deactivated: false, locked: false }, ['Bob Alison', null]))
      await step('registration', { op: 'register', user: '@carol:example.org' }, local('@carol:example.org', { userType: null, deactivated: false, locked: false }, ['carol', null]))
      await step('registration', { op: 'register', user: '@dave:example.org', displayname: 'Dave Allen' }, local('@dave:example.org', { userType: null, deactivated: false, locked: false }, ['Dave Allen', null]))
      // A support user is registered with its type and stays out of the directory.
      await step('registration', { op: 'register', user: '@helpdesk:example.org', displayname: 'Alice Helpdesk', user_type: 'support' }, local('@helpdesk:example.org', { userType: 'support', deactivated: false, locked: false }))
      // A guest is not pushed (the import leaves guests out too).
      await step('registration', { op: 'register', user: '@1234:example.org', displayname: 'Alice Guest', guest: true }, async () => {})
      await step('profile change', { op: 'profile', user: '@alice:example.org', displayname: 'Alice Pleasance', avatar_url: 'mxc://example.org/alice' }, local('@alice:example.org', {}, ['Alice Pleasance', 'mxc://example.org/alice']))
      await step('profile change', { op: 'profile', user: '@carol:example.org', displayname: 'Carol Alias' }, local('@carol:example.org', {}, ['Carol Alias', null]))
      // Locking fires no callback; the next push of that user carries it.
      await driver.send({ op: 'lock', user: '@dave:example.org', locked: true })
      await step('profile change', { op: 'profile', user: '@dave:example.org', displayname: 'Dave Allen' }, local('@dave:example.org', { locked: true }, ['Dave Allen', null]))
      // Fired on two workers at once: two identical pushes, one outcome.
      await step('deactivation', { op: 'deactivate', user: '@bob:example.org', erase: true, workers: 'both' }, local('@bob:example.org', { deactivated: true }))
      await step('deactivation', { op: 'deactivate', user: '@carol:example.org' }, local('@carol:example.org', { deactivated: true }))
      await step('reactivation', { op: 'reactivate', user: '@carol:example.org', workers: 'both' }, local('@carol:example.org', { deactivated: false }, ['Carol Alias', null]))
      await step('reactivation', { op: 'reactivate', user: '@bob:example.org' }, local('@bob:example.org', { deactivated: false }, ['', null]))

      const idle = await driver.send({ op: 'idle' })
      assert.is(idle.given_up, 0)
      assert.is(idle.skipped, 1) // the guest
      // 13 single pushes plus the two that also ran on the worker.
      assert.is(idle.pushed, 15)
      // Not only equal: the pushes made the difference a search can see.
      const found = (await service.search(SEARCHER_TOKEN, { search_term: 'al', limit: 20 })).body.results.map((r: { user_id: string }) => r.user_id).sort()
      assert.equal(found, ['@alice:example.org', '@carol:example.org']) // bob's name was erased; dave is locked; helpdesk is support; the guest unknown
      const counts = await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })
      assert.is(counts.body.local_users, (await reference.stats()).localUsers)
      const summary = Object.entries(delays).map(([kind, ms]) => `${kind} ${Math.max(...ms).toFixed(1)} ms`).join(', ')
      console.log(`  synapse-module: callback → applied, slowest per kind: ${summary}`)
    } finally {
      await driver.close()
      await service.stop()
      await dir.close()
      await reference.close()
    }
  })

  test('while the service is down the module retries with back-off, then delivers', async () => {
    const dir = await UserDirectory.open(OPTIONS)
    // A port that nothing listens on yet: the service "restarts" there later.
    const probe = createServer(dir, { adminToken: ADMIN })
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await stopServer(probe)
    const driver = new Driver(`http://127.0.0.1:${port}`, ['--backoff-initial', '0.05'])
    const service = createServer(dir, { adminToken: ADMIN })
    try {
      const started = Date.now()
      await driver.send({ op: 'register', user: '@alice:example.org', displayname: 'Alice' })
      await driver.send({ op: 'profile', user: '@alice:example.org', displayname: 'Alice Again' })
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.is(await dir.getProfile('@alice:example.org'), null)
      await new Promise<void>((resolve) => service.listen(port, '127.0.0.1', resolve))
      const idle = await driver.send({ op: 'idle' })
      assert.ok(idle.retries >= 2, `${idle.retries} retries while the service was down`)
      assert.is(idle.given_up, 0)
      assert.is(idle.pushed, 1) // both changes of one user waiting: one push, with the newest name
      assert.is((await dir.getProfile('@alice:example.org'))?.display_name, 'Alice Again')
      console.log(`  synapse-module: down 300 ms, delivered ${Date.now() - started} ms after the change, after ${idle.retries} retries`)
    } finally {
      await driver.close()
      if (service.listening) await stopServer(service)
      await dir.close()
    }
  })

  test('the same push twice leaves the same state (pushes are idempotent)', async () => {
    const dir = await UserDirectory.open(OPTIONS)
    const service = await start(dir, { adminToken: ADMIN, accessTokens: { [SEARCHER_TOKEN]: SEARCHER } })
    try {
      const put = (user: string, body: unknown) => service.request('PUT', `/_userdir/admin/v1/users/${encodeURIComponent(user)}`, { token: ADMIN, body })
      await put(SEARCHER, { user_type: null, deactivated: false, locked: false, displayname: 'Searcher', avatar_url: null })
      const state = async () => ({
        alice: (await service.request('GET', `/_userdir/admin/v1/users/${encodeURIComponent('@alice:example.org')}`, { token: ADMIN })).body,
        search: (await service.search(SEARCHER_TOKEN, { search_term: 'ali' })).body,
        stats: (await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })).body.entries,
      })
      for (const body of [
        { user_type: null, deactivated: false, locked: false, displayname: 'Alice', avatar_url: 'mxc://example.org/a' },
        { user_type: null, deactivated: true, locked: false },
        { user_type: null, deactivated: false, locked: false, displayname: 'Alice 2', avatar_url: null },
      ]) {
        assert.is((await put('@alice:example.org', body)).status, 200)
        const once = await state()
        assert.is((await put('@alice:example.org', body)).status, 200)
        assert.equal(await state(), once, `pushing ${JSON.stringify(body)} twice`)
      }
    } finally {
      await service.stop()
      await dir.close()
    }
  })
}

const TERMS = ['ali', 'alice', 'al', 'bob', 'carol', 'dave', 'help', 'guest', 'searcher', 'example', 'pleasance', 'liddell']

async function sameAnswers(service: Running, reference: UserDirectory, when: string): Promise<void> {
  for (const term of TERMS) {
    const got = await service.search(SEARCHER_TOKEN, { search_term: term, limit: 20 })
    assert.is(got.status, 200, `search ${term} ${when}`)
    const want = await reference.search(SEARCHER, term, 20)
    assert.equal(got.body, JSON.parse(JSON.stringify(want)), `search "${term}" ${when}`)
  }
}

interface DriverAnswer {
  op: string
  callback_ms: number
  ms: number | null
  pushed: number
  given_up: number
  skipped: number
  retries: number
  error?: string
}

// The python3 driver (synapse-module/tests/e2e_driver.py): one JSON line out, one back.
class Driver {
  readonly #child: ChildProcessWithoutNullStreams
  readonly #answers: DriverAnswer[] = []
  #waiting: ((answer: DriverAnswer) => void) | null = null
  #stderr = ''

  constructor(url: string, args: string[] = []) {
    this.#child = spawn('python3', [join(MODULE_DIR, 'tests', 'e2e_driver.py'), '--url', url, '--token', ADMIN, ...args], {
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    })
    this.#child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString()
    })
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      const answer = JSON.parse(line) as DriverAnswer
      const waiting = this.#waiting
      this.#waiting = null
      if (waiting !== null) waiting(answer)
      else this.#answers.push(answer)
    })
  }

  async send(command: Record<string, unknown>): Promise<DriverAnswer> {
    this.#child.stdin.write(`${JSON.stringify(command)}\n`)
    const answer = this.#answers.shift() ?? (await new Promise<DriverAnswer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`driver did not answer ${JSON.stringify(command)} in 10 s; stderr:\n${this.#stderr}`)), 10_000)
      this.#waiting = (a) => {
        clearTimeout(timer)
        resolve(a)
      }
    }))
    if (answer.error !== undefined) throw new Error(`driver: ${answer.error}`)
    return answer
  }

  async close(): Promise<void> {
    if (this.#child.exitCode !== null) return
    const exited = new Promise<void>((resolve) => this.#child.once('exit', () => resolve()))
    this.#child.stdin.end(`${JSON.stringify({ op: 'exit' })}\n`)
    const timer = setTimeout(() => this.#child.kill(), 5_000)
    await exited
    clearTimeout(timer)
  }
}

test.run()
