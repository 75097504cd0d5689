// Child process of store-health.test.ts: runs scenarios, each on a small
// tmpfs mounted at its `dir` (args: scenario dir …) (by the parent, as root) and prints one JSON line with
// what each saw. In a child because a store on a full disk used to die of
// SIGBUS, which must not take the test run with it.
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { FakeClock, UserDirectory } from '../../src/index.js'
import type { StateDelta } from '../../src/index.js'
import { STORE_RECHECK_MS } from '../../src/directory/user-directory.js'

const args = process.argv.slice(2)
const reports: Record<string, Record<string, unknown>> = {}
for (let i = 0; i + 1 < args.length; i += 2) reports[args[i]] = await runScenario(args[i], args[i + 1])
writeFileSync(1, JSON.stringify(reports) + '\n')

async function runScenario(scenario: string, dir: string): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {}
  const clock = new FakeClock(1_000)
  const storePath = join(dir, 'store')
  const fill = join(dir, 'fill')

  if (scenario === 'first-start-full') {
    fillDisk(fill)
    report.open = await outcome(UserDirectory.open({ serverName: 'test', path: storePath }))
    try {
      await UserDirectory.open({ serverName: 'test', path: storePath })
    } catch (error) {
      report.message = (error as Error).message
    }
  } else if (scenario === 'full-disk') {
    const d = await UserDirectory.open({ serverName: 'test', path: storePath, clock, warmSearch: false })
    await d.registerLocalUser('@l0:test')
    fillDisk(fill)
    report.ingest = await outcome(d.ingest(users(0, 3000), { transactionId: 'big' }))
    report.healthAfterFailure = d.health()
    report.appliedAfterFailure = d.isTransactionApplied('big')
    report.entriesAfterFailure = d.stats().entries
    report.retryWhileFull = await outcome(d.ingest(users(0, 3000), { transactionId: 'big' }))
    await clock.advance(STORE_RECHECK_MS + 1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    report.healthStillFull = d.health()
    rmSync(fill)
    await clock.advance(STORE_RECHECK_MS + 1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    report.healthAfterSpace = d.health()
    report.retry = await outcome(d.ingest(users(0, 3000), { transactionId: 'big' }))
    report.entriesAfterRetry = d.stats().entries
    await d.close()
    const reopened = await UserDirectory.open({ serverName: 'test', path: storePath, warmSearch: false })
    report.entriesReopened = reopened.stats().entries
    report.appliedReopened = reopened.isTransactionApplied('big')
    await reopened.close()
  } else if (scenario === 'read-only') {
    const first = await UserDirectory.open({ serverName: 'test', path: storePath, warmSearch: false })
    await first.registerLocalUser('@l0:test')
    await first.close()
    execFileSync('mount', ['-o', 'remount,ro', dir])
    const d = await UserDirectory.open({ serverName: 'test', path: storePath, clock, warmSearch: false })
    report.healthReadOnly = d.health()
    report.ingest = await outcome(d.ingest(users(0, 10), { transactionId: 'ro' }))
    report.appliedAfterFailure = d.isTransactionApplied('ro')
    execFileSync('mount', ['-o', 'remount,rw', dir])
    await clock.advance(STORE_RECHECK_MS + 1)
    await new Promise((resolve) => setTimeout(resolve, 50))
    report.healthAfterRemount = d.health()
    report.retry = await outcome(d.ingest(users(0, 10), { transactionId: 'ro' }))
    report.entries = d.stats().entries
    await d.close()
    const reopened = await UserDirectory.open({ serverName: 'test', path: storePath, warmSearch: false })
    report.entriesReopened = reopened.stats().entries
    await reopened.close()
  }
  return report
}


function users(from: number, count: number): StateDelta[] {
  const deltas: StateDelta[] = [{ room_id: '!big:test', type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' } }, { room_id: '!big:test', type: 'm.room.member', state_key: '@l0:test', content: { membership: 'join' } }]
  for (let i = from; i < from + count; i++) deltas.push({ room_id: '!big:test', type: 'm.room.member', state_key: `@u${i}:remote.org`, content: { membership: 'join', displayname: `User ${i} ${'x'.repeat(300)}` } })
  return deltas
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'ok'
  } catch (error) {
    return error instanceof Error ? `${error.name}: ${(error as { errcode?: string }).errcode ?? ''}` : String(error)
  }
}

function fillDisk(fill: string): void {
  // Fill what is left (tmpfs: ENOSPC at the size limit).
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${fill}`, 'bs=64k'], { stdio: 'ignore' })
  } catch {
    // dd exits 1 at ENOSPC: expected
  }
}
