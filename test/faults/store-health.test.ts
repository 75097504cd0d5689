// Issue 19, item 12: /health answers 503 with a reason while the store
// cannot be written or the directory is closed; a store that failed (full
// disk, read-only) is checked again and recovers without a restart; a first
// start on a full disk fails with one clear line instead of SIGBUS. Through
// the failing wrapper always, on a real small tmpfs where the machine lets
// us mount one.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { STORE_RECHECK_MS } from '../../src/directory/user-directory.js'
import { start } from '../http/harness.js'
import { FailingStore } from '../store/failing-store.js'
import { tempDir } from '../store/store-fixtures.js'

const test = suite('faults/store-health')
const child = join(import.meta.dirname, 'tmpfs-child.ts')

const join1 = (user: string) => [{ room_id: '!r:test', type: 'm.room.member', state_key: user, content: { membership: 'join' } }]

test('/health: 200 while writable, 503 with a reason (no path) after a refused commit, 200 again after a recheck or a commit succeeds; 503 once closed', async () => {
  const made = tempDir('userdir-health-')
  const store = await FailingStore.open(made.path)
  const clock = new FakeClock(1_000)
  const dir = await UserDirectory.openOnStore({ serverName: 'test', clock, warmSearch: false }, store)
  const running = await start(dir, { rateLimit: false })
  try {
    assert.equal((await running.request('GET', '/health')).body, { status: 'ok' })
    store.failing = true
    await assert.not.ok(await dir.ingest(join1('@a:remote.org'), { transactionId: 'x' }).then(() => true, () => false))
    const down = await running.request('GET', '/health')
    assert.is(down.status, 503)
    assert.equal(down.body, { status: 'unavailable', reason: 'the store cannot be written: the last commit failed' })
    assert.not.ok(JSON.stringify(down.body).includes(store.path))
    await clock.advance(STORE_RECHECK_MS + 1)
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.is((await running.request('GET', '/health')).status, 503, 'still failing: still 503')
    store.failing = false
    await clock.advance(STORE_RECHECK_MS + 1)
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.is((await running.request('GET', '/health')).status, 200, 'a recheck that writes brings it back')
    store.failNext = 1
    await dir.ingest(join1('@b:remote.org')).catch(() => undefined)
    assert.is((await running.request('GET', '/health')).status, 503)
    await dir.ingest(join1('@b:remote.org'))
    assert.is((await running.request('GET', '/health')).status, 200, 'a successful commit brings it back')
    await dir.close()
    const closed = await running.request('GET', '/health')
    assert.equal([closed.status, closed.body], [503, { status: 'unavailable', reason: 'the directory is closed' }])
  } finally {
    await running.stop()
    await dir.close()
    made.remove()
  }
})

// A small tmpfs, or the reason there is none.
function mountTmpfs(sizeMb: number): { path: string; unmount(): void } | string {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'not root on Linux: cannot mount a tmpfs'
  const path = mkdtempSync(join(tmpdir(), 'userdir-tmpfs-'))
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', path], { encoding: 'utf8' })
  if (mounted.status !== 0) {
    rmSync(path, { recursive: true, force: true })
    return `mount -t tmpfs failed: ${mounted.stderr.trim()}`
  }
  return {
    path,
    unmount: () => {
      spawnSync('umount', [path])
      rmSync(path, { recursive: true, force: true })
    },
  }
}

// All three scenarios in one child (one process start), each on its own tmpfs.
const SCENARIOS: [string, number][] = [['first-start-full', 4], ['full-disk', 20], ['read-only', 8]]
let reports: Record<string, Record<string, any>> | string | undefined

function report(scenario: string): Record<string, any> | null {
  if (reports === undefined) {
    const mounts: { path: string; unmount(): void }[] = []
    try {
      for (const [, sizeMb] of SCENARIOS) {
        const fs = mountTmpfs(sizeMb)
        if (typeof fs === 'string') {
          reports = fs
          break
        }
        mounts.push(fs)
      }
      if (reports === undefined) {
        const args = SCENARIOS.flatMap(([name], i) => [name, mounts[i].path])
        const run = spawnSync(process.execPath, ['--import', 'tsx', child, ...args], { encoding: 'utf8', timeout: 120_000 })
        assert.is(run.signal, null, `the child died of ${run.signal} (${run.stderr})`)
        assert.is(run.status, 0, run.stderr)
        reports = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Record<string, Record<string, any>>
      }
    } finally {
      for (const fs of mounts) fs.unmount()
    }
  }
  if (typeof reports === 'string') {
    console.log(`  skipped (${scenario}): ${reports}`)
    return null
  }
  return reports[scenario]
}

test('tmpfs: a first start on a full disk fails with one clear line, not SIGBUS', () => {
  const got = report('first-start-full')
  if (got === null) return
  assert.is(got.open, 'UserDirectoryError: M_UNKNOWN')
  assert.match(got.message, /the disk is full \(\d+ bytes free/)
  assert.not.ok(got.message.includes('\n'))
})

test('tmpfs: a full disk refuses a transaction (503 health, nothing kept), and once space is back the recheck recovers and the retry applies', () => {
  const got = report('full-disk')
  if (got === null) return
  assert.is(got.ingest, 'UserDirectoryError: M_UNKNOWN')
  assert.equal(got.healthAfterFailure, { ok: false, reason: 'the store cannot be written: the last commit failed' })
  assert.is(got.appliedAfterFailure, false)
  assert.is(got.entriesAfterFailure, 1, "only the local user registered before")
  assert.is(got.retryWhileFull, 'UserDirectoryError: M_UNKNOWN')
  assert.is(got.healthStillFull.ok, false)
  assert.equal(got.healthAfterSpace, { ok: true, reason: null })
  assert.is(got.retry, 'ok')
  assert.is(got.entriesAfterRetry, 3001)
  assert.is(got.entriesReopened, 3001)
  assert.is(got.appliedReopened, true)
})

test('tmpfs: a store on a read-only file system opens read-only (503), and recovers read-write after a remount without a restart', () => {
  const got = report('read-only')
  if (got === null) return
  assert.equal(got.healthReadOnly, { ok: false, reason: 'the store cannot be written: the store is read-only' })
  assert.is(got.ingest, 'UserDirectoryError: M_UNKNOWN')
  assert.is(got.appliedAfterFailure, false)
  assert.equal(got.healthAfterRemount, { ok: true, reason: null })
  assert.is(got.retry, 'ok')
  assert.is(got.entries, 11)
  assert.is(got.entriesReopened, 11)
})

test.run()
