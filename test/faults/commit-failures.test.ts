// Issue 19, items 1 and 6: a unit of work whose commit fails leaves no
// trace (its transaction id included), is undone in memory without a
// reload, and applies when retried. Random histories run against a
// directory on a store that refuses commits on demand, and a reference
// model fed exactly the acknowledged work.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory, UserDirectoryError } from '../../src/index.js'
import { LmdbStore } from '../../src/store/index.js'
import { propertyRuns } from '../arbitraries/operations.js'
import { FailingStore } from '../store/failing-store.js'
import { tempDir } from '../store/store-fixtures.js'
import { applyUserChange, assertMatchesModel, everySearch, faultHistory, newModel, settle, toDeltas, userChange } from './fault-model.js'
import type { DeltaSpec, Step } from './fault-model.js'

const test = suite('faults/commit-failures')
const RUNS = propertyRuns(60)
const dirs: { remove(): void }[] = []
test.after(() => {
  for (const made of dirs) made.remove()
})

function isStoreFailure(error: unknown): boolean {
  return error instanceof UserDirectoryError && error.errcode === 'M_UNKNOWN'
}

interface Sent {
  id: string
  specs: DeltaSpec[]
  position: number
  acked: boolean
}

async function runHistory(steps: Step[], failEvery: number): Promise<void> {
  const made = tempDir('userdir-faults-')
  dirs.push(made)
  const store = await FailingStore.open(made.path)
  const options = { serverName: 'test', clock: new FakeClock(1_000), warmSearch: false, path: made.path }
  const dir = await UserDirectory.openOnStore(options, store)
  const model = newModel()
  const sent: Sent[] = []
  let position: number | null = null
  try {
    store.failEvery = failEvery
    for (const [index, s] of steps.entries()) {
      const where = `after step ${index} ${JSON.stringify(s)}`
      if (s.fail) store.failNext = 1
      if (s.kind === 'txn' || s.kind === 'retry') {
        let txn: Sent
        if (s.kind === 'txn') {
          txn = { id: `txn-${sent.length}`, specs: s.deltas, position: sent.length + 1, acked: false }
          sent.push(txn)
        } else {
          if (sent.length === 0) continue
          txn = sent[s.which % sent.length]
        }
        const result = await settle(dir.ingest(toDeltas(txn.specs), { transactionId: txn.id, position: txn.position }))
        if (result.ok) {
          // Exactly once: a transaction acknowledged before is a duplicate, any other applies.
          assert.is(result.value.duplicate === true, txn.acked, `duplicate iff acknowledged before ${where}`)
          if (!txn.acked) {
            model.ingest(toDeltas(txn.specs))
            txn.acked = true
            position = txn.position
          }
        } else {
          assert.ok(isStoreFailure(result.error), `a refused commit is M_UNKNOWN ${where}: ${String(result.error)}`)
          assert.not.ok(txn.acked, `an acknowledged transaction is answered as a duplicate without a commit ${where}`)
        }
      } else if (s.kind === 'user') {
        const change = userChange(model, s)
        if (change === null) continue
        const result = await settle(applyUserChange(dir, model, s))
        if (result.ok) change.apply()
        else assert.ok(isStoreFailure(result.error), `${where}: ${String(result.error)}`)
      } else {
        const txns = s.txns.map((specs): Sent => ({ id: `txn-${sent.length}-${Math.random()}`, specs, position: 0, acked: false }))
        for (const txn of txns) {
          sent.push(txn)
          txn.position = sent.length
        }
        const result = await settle(dir.batch(async () => {
          for (const txn of txns) await dir.ingest(toDeltas(txn.specs), { transactionId: txn.id, position: txn.position })
          if (s.throwInside) throw new Error('the task failed')
        }))
        if (result.ok) {
          for (const txn of txns) {
            model.ingest(toDeltas(txn.specs))
            txn.acked = true
            position = txn.position
          }
        } else if (!s.throwInside) {
          assert.ok(isStoreFailure(result.error), `${where}: ${String(result.error)}`)
        }
      }
      assertMatchesModel(dir, model, where)
      assert.is(dir.streamPosition(), position, `stream position ${where}`)
    }
    // The homeserver retries everything unacknowledged once the disk has room again.
    store.failEvery = 0
    store.failNext = 0
    for (const txn of sent) {
      const report = await dir.ingest(toDeltas(txn.specs), { transactionId: txn.id, position: txn.position })
      assert.is(report.duplicate === true, txn.acked, `final retry of ${txn.id}: duplicate iff acknowledged`)
      if (!txn.acked) {
        model.ingest(toDeltas(txn.specs))
        txn.acked = true
      }
    }
    assertMatchesModel(dir, model, 'after every retry')
    // Derived structures (visibility counters, search index) equal a recount.
    const tables = dir.tables()
    const searches = await everySearch(dir)
    await dir.rebuild()
    assert.equal(dir.tables(), tables, 'rebuild() changed the tables')
    assert.equal(await everySearch(dir), searches, 'rebuild() changed search results')
  } finally {
    await dir.close()
  }
  // What was acknowledged is what the store holds.
  const reopened = await UserDirectory.openOnStore({ serverName: 'test', clock: new FakeClock(1_000), warmSearch: false }, await LmdbStore.open(made.path))
  try {
    assertMatchesModel(reopened, model, 'after reopening the store')
    for (const txn of sent) assert.ok(reopened.isTransactionApplied(txn.id), `${txn.id} is remembered after reopening`)
  } finally {
    await reopened.close()
  }
  made.remove()
}

test('random transactions, retries, user changes and refused commits: every acknowledged unit applies exactly once, every failed one applies on retry, and the directory equals the model fed exactly the acknowledged work', async () => {
  await fc.assert(fc.asyncProperty(faultHistory(), ({ steps, failEvery }) => runHistory(steps, failEvery)), { numRuns: RUNS })
})

test('a failed commit leaves no trace and the retry applies (the issue\'s reproduction)', async () => {
  const made = tempDir('userdir-faults-')
  dirs.push(made)
  const store = await FailingStore.open(made.path)
  const dir = await UserDirectory.openOnStore({ serverName: 'test', warmSearch: false }, store)
  await dir.registerLocalUser('@l0:test')
  const deltas = toDeltas([{ room: 0, what: 'join_rules', local: false, user: 0, membership: 'join', value: 0, name: null }, { room: 0, what: 'member', local: true, user: 0, membership: 'join', value: 0, name: null }, { room: 0, what: 'member', local: false, user: 1, membership: 'join', value: 0, name: 1 }])
  const before = dir.tables()
  store.failing = true
  const failed = await settle(dir.ingest(deltas, { transactionId: 'T1', position: 5 }))
  assert.not.ok(failed.ok)
  assert.ok(isStoreFailure((failed as { error: unknown }).error))
  assert.equal(dir.tables(), before, 'memory is as before the failed transaction')
  assert.is(dir.streamPosition(), null)
  assert.not.ok(dir.isTransactionApplied('T1'), 'the failed transaction id is not remembered')
  const stillFull = await settle(dir.ingest(deltas, { transactionId: 'T1', position: 5 }))
  assert.not.ok(stillFull.ok, 'a retry while the disk is still full fails again, not as a duplicate')
  store.failing = false
  const report = await dir.ingest(deltas, { transactionId: 'T1', position: 5 })
  assert.not.ok(report.duplicate)
  assert.is(report.applied, 3)
  assert.ok((await dir.getProfile('@r1:remote.org')) !== null, 'the retried transaction applied')
  assert.is((await dir.ingest(deltas, { transactionId: 'T1', position: 5 })).duplicate, true)
  await dir.close()
})

test('a batch whose task throws keeps nothing of what it applied; calls from outside wait for it and are kept', async () => {
  const dir = await UserDirectory.open({ serverName: 'test', warmSearch: false })
  await dir.registerLocalUser('@l0:test')
  const before = dir.tables()
  let release = (): void => undefined
  const gate = new Promise<void>((resolve) => (release = resolve))
  const batch = settle(dir.batch(async () => {
    await dir.registerLocalUser('@l1:test')
    await dir.ingest(toDeltas([{ room: 0, what: 'member', local: true, user: 0, membership: 'join', value: 0, name: null }]), { transactionId: 'in-batch', position: 3 })
    await dir.importAccess.setMeta('checkpoint', { page: 1 })
    await gate
    throw new Error('the page failed')
  }))
  await new Promise((resolve) => setImmediate(resolve))
  // Another caller (the admin route) while the batch is open: it waits, it does not join.
  let outsideDone = false
  const outside = dir.handleLocalProfileChange('@l0:test', { displayName: 'Zed', avatarUrl: null }).then(() => void (outsideDone = true))
  await new Promise((resolve) => setImmediate(resolve))
  assert.not.ok(outsideDone, 'the outside call waits for the batch')
  release()
  const failed = await batch
  assert.not.ok(failed.ok)
  await outside
  assert.is(dir.importAccess.localUser('@l1:test'), null)
  assert.is(dir.importAccess.getMeta('checkpoint'), undefined)
  assert.is(dir.streamPosition(), null)
  assert.not.ok(dir.isTransactionApplied('in-batch'))
  assert.equal(dir.tables().inPublicRooms, before.inPublicRooms)
  assert.equal(await dir.getProfile('@l0:test'), { display_name: 'Zed', avatar_url: null }, 'the outside call applied after the batch')
  await dir.close()
})

test('a call that throws inside a batch undoes only its own changes', async () => {
  const dir = await UserDirectory.open({ serverName: 'test', warmSearch: false })
  await dir.batch(async () => {
    await dir.registerLocalUser('@l0:test')
    const inner = await settle(dir.batch(async () => {
      await dir.registerLocalUser('@l1:test')
      throw new Error('inner failure')
    }))
    assert.not.ok(inner.ok)
  })
  assert.ok(dir.importAccess.localUser('@l0:test') !== null)
  assert.is(dir.importAccess.localUser('@l1:test'), null)
  await dir.close()
})

test.run()
