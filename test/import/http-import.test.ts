// POST /_userdir/admin/v1/import over real HTTP: the service imports from a
// fake Synapse in the background while the homeserver pushes appservice
// transactions to it, and GET /stats shows the progress.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { start } from '../http/harness.js'
import { ADMIN_TOKEN, FakeSynapse, SERVER_NAME, feedDirectly, listOrder } from './fake-synapse.js'

const test = suite('src/http/routes/admin.ts (import)')

const ADMIN = 'userdir-admin'
const HS_TOKEN = 'hs-secret'
const START_MS = 1_700_000_000_000

test('POST /import answers 202, runs in the background beside live transactions, and /stats follows it to the same tables as a direct feed', async () => {
  const hs = await new FakeSynapse({ users: 1200, rooms: 250, seed: 11 }).start()
  const dir = await UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(START_MS) })
  // Following off: this test counts the import's own state reads (a first local join would also make the follower read the room).
  const service = await start(dir, { adminToken: ADMIN, hsToken: HS_TOKEN, follow: false, synapseImport: { homeserverUrl: hs.url, accessToken: ADMIN_TOKEN, options: { sleep: async () => {} } } })
  try {
    const raced = new Set(listOrder(hs.rooms).slice(0, 30).filter((_, i) => i % 3 === 0).map((room) => room.room_id))
    let txn = 0
    hs.onRoomState = async (roomId) => {
      if (!raced.has(roomId)) return
      // The homeserver changes the room after reading the snapshot it is sending, and pushes the change.
      const event = hs.setMember(roomId, `@user${String(900 + txn).padStart(5, '0')}:${SERVER_NAME}`, { membership: 'join' })
      const pushed = await service.request('PUT', `/_matrix/app/v1/transactions/t${txn++}`, {
        token: HS_TOKEN,
        body: { events: [{ ...event, sender: event.state_key, origin_server_ts: START_MS }] },
      })
      assert.is(pushed.status, 200)
    }
    const started = await service.request('POST', '/_userdir/admin/v1/import', { token: ADMIN })
    assert.is(started.status, 202)
    assert.equal(started.body, { started: true, running: true, mode: 'import' })
    const second = await service.request('POST', '/_userdir/admin/v1/import', { token: ADMIN, body: { reconcile: true } })
    assert.equal(second.body.started, false, 'one import at a time')
    let stats
    const phases = new Set<string>()
    do {
      stats = (await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })).body
      phases.add(stats.import.phase)
    } while (stats.import.running)
    assert.is(stats.import.phase, 'done')
    assert.ok(phases.has('users') || phases.has('rooms'), `progress was visible while running: ${[...phases]}`)
    assert.is(stats.import.rooms_done, 250)
    assert.is(stats.import.users_done, stats.import.users_total)
    assert.is(txn, raced.size)
    const expected = await UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(START_MS) })
    await feedDirectly(expected, hs)
    assert.equal(dir.tables(), expected.tables())
    await expected.close()
  } finally {
    await service.stop()
    await dir.close()
    await hs.stop()
  }
})

test('POST /import without a configured homeserver admin token answers 400 naming what to set', async () => {
  const dir = await UserDirectory.open({ serverName: SERVER_NAME })
  const service = await start(dir, { adminToken: ADMIN })
  try {
    const answer = await service.request('POST', '/_userdir/admin/v1/import', { token: ADMIN })
    assert.is(answer.status, 400)
    assert.match(answer.body.error, /synapse_admin_token_file/)
    assert.is((await service.request('POST', '/_userdir/admin/v1/import', { token: 'wrong' })).status, 403)
    assert.is((await service.request('GET', '/_userdir/admin/v1/stats', { token: ADMIN })).body.import, null)
  } finally {
    await service.stop()
    await dir.close()
  }
})

test.run()
