// Issue 19, items 1 and 8 through HTTP: an appservice transaction or an
// admin delta batch whose commit the store refuses is answered 500
// M_UNKNOWN with a generic message (no path, no LMDB internals), leaves no
// trace, and applies when the homeserver retries it.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { INTERNAL_FAILURE_MESSAGE } from '../../src/http/http-error.js'
import { propertyRuns } from '../arbitraries/operations.js'
import { start } from '../http/harness.js'
import { FailingStore } from '../store/failing-store.js'
import { tempDir } from '../store/store-fixtures.js'
import { LOCAL_USERS, assertMatchesModel, faultHistory, newModel, toDeltas } from './fault-model.js'
import type { DeltaSpec, Step } from './fault-model.js'

const test = suite('faults/http-commit-failures')
const RUNS = propertyRuns(12)
const HS_TOKEN = 'hs-secret'
const ADMIN_TOKEN = 'admin-secret'
const NAMES = ['Alice', 'Bob', 'Émile', 'remote friend']

interface Sent {
  id: string
  specs: DeltaSpec[]
  admin: boolean
  acked: boolean
}

function assertGenericFailure(response: { status: number; body: unknown }, store: FailingStore, where: string): void {
  assert.is(response.status, 500, `${where}: ${JSON.stringify(response.body)}`)
  assert.equal(response.body, { errcode: 'M_UNKNOWN', error: INTERNAL_FAILURE_MESSAGE }, where)
  const text = JSON.stringify(response.body)
  assert.not.ok(text.includes(store.path) || /MDB|ENOSPC|store at/.test(text), `no internals in the body ${where}`)
}

async function runHistory(steps: Step[], failEvery: number): Promise<void> {
  const made = tempDir('userdir-faults-http-')
  const store = await FailingStore.open(made.path)
  const dir = await UserDirectory.openOnStore({ serverName: 'test', clock: new FakeClock(1_000), warmSearch: false }, store)
  const running = await start(dir, { hsToken: HS_TOKEN, adminToken: ADMIN_TOKEN, rateLimit: false })
  const model = newModel()
  const sent: Sent[] = []
  const send = (txn: Sent) =>
    txn.admin
      ? running.request('POST', '/_userdir/admin/v1/deltas', { token: ADMIN_TOKEN, body: { deltas: toDeltas(txn.specs), transaction_id: txn.id } })
      : running.request('PUT', `/_matrix/app/v1/transactions/${txn.id}`, { token: HS_TOKEN, body: { events: toDeltas(txn.specs).map((d) => ({ ...d, origin_server_ts: 1 })) } })
  try {
    store.failEvery = failEvery
    for (const [index, s] of steps.entries()) {
      const where = `step ${index} ${JSON.stringify(s)}`
      if (s.fail) store.failNext = 1
      if (s.kind === 'txn' || s.kind === 'retry' || s.kind === 'batch') {
        let txn: Sent
        if (s.kind === 'retry') {
          if (sent.length === 0) continue
          txn = sent[s.which % sent.length]
        } else {
          txn = { id: `t${sent.length}`, specs: s.kind === 'txn' ? s.deltas : s.txns.flat(), admin: sent.length % 2 === 1, acked: false }
          sent.push(txn)
        }
        const response = await send(txn)
        if (response.status === 200) {
          if (txn.admin) assert.is(response.body.duplicate, txn.acked, `duplicate iff acknowledged ${where}`)
          if (!txn.acked) model.ingest(toDeltas(txn.specs))
          txn.acked = true
        } else {
          assertGenericFailure(response, store, where)
          assert.not.ok(txn.acked, `an acknowledged transaction needs no commit ${where}`)
        }
      } else {
        const userId = LOCAL_USERS[s.user]
        const user = model.users.get(userId)
        if (s.action !== 'register' && user === undefined) continue
        const body: { displayname?: string | null; deactivated?: boolean; locked?: boolean } =
          s.action === 'profile' ? { displayname: s.name === null ? null : NAMES[s.name] }
          : s.action === 'deactivate' || s.action === 'reactivate' ? { deactivated: s.action === 'deactivate' }
          : s.action === 'lock' ? { locked: !(user?.locked ?? false) }
          : {}
        const response = await running.request('PUT', `/_userdir/admin/v1/users/${encodeURIComponent(userId)}`, { token: ADMIN_TOKEN, body })
        if (response.status === 200) {
          model.registerLocalUser(userId, {})
          if ('displayname' in body) model.handleLocalProfileChange(userId, { displayName: body.displayname, avatarUrl: null })
          if (body.deactivated !== undefined) model.setUserDeactivated(userId, body.deactivated)
          if (body.locked !== undefined) model.setUserLocked(userId, body.locked)
        } else {
          assertGenericFailure(response, store, where)
        }
      }
      assertMatchesModel(dir, model, `after ${where}`)
    }
    store.failEvery = 0
    store.failNext = 0
    for (const txn of sent) {
      const response = await send(txn)
      assert.is(response.status, 200)
      if (txn.admin) assert.is(response.body.duplicate, txn.acked, `final retry of ${txn.id}`)
      if (!txn.acked) model.ingest(toDeltas(txn.specs))
      txn.acked = true
    }
    assertMatchesModel(dir, model, 'after every retry')
  } finally {
    await running.stop()
    await dir.close()
    made.remove()
  }
}

test('appservice transactions and admin delta batches under refused commits: 500 M_UNKNOWN without internals, nothing kept, the retry applies; 200 means applied exactly once', async () => {
  await fc.assert(fc.asyncProperty(faultHistory(15), ({ steps, failEvery }) => runHistory(steps, failEvery)), { numRuns: RUNS })
})

test('a 1 MB admin transaction_id is applied once (200), not a 500', async () => {
  const made = tempDir('userdir-faults-http-')
  const dir = await UserDirectory.open({ serverName: 'test', path: made.path, warmSearch: false })
  const running = await start(dir, { adminToken: ADMIN_TOKEN, rateLimit: false })
  try {
    const body = { deltas: toDeltas([{ room: 0, what: 'member', local: false, user: 0, membership: 'join', value: 0, name: null }]), transaction_id: 'z'.repeat(1_000_000) }
    const first = await running.request('POST', '/_userdir/admin/v1/deltas', { token: ADMIN_TOKEN, body })
    assert.is(first.status, 200, JSON.stringify(first.body).slice(0, 300))
    assert.is(first.body.duplicate, false)
    const again = await running.request('POST', '/_userdir/admin/v1/deltas', { token: ADMIN_TOKEN, body })
    assert.is(again.body.duplicate, true)
  } finally {
    await running.stop()
    await dir.close()
    made.remove()
  }
})

test.run()
