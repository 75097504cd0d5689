// The emulator's HTTP side: tokens, the Admin API's paging and filters in
// Synapse's shapes, whoami, profiles, the appservice ping, faults and the
// request log.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { AS_TOKEN, bed, enc, registration } from './fixture.js'
import { SynapseEmulator } from './index.js'
import { AsReceiver } from './as-receiver.js'

test('tokens: none 401 M_MISSING_TOKEN, unknown 401 M_UNKNOWN_TOKEN, a non-admin on admin routes 403 M_FORBIDDEN', async () => {
  const { emu, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice')
    assert.equal((await get('/_synapse/admin/v2/users', null)).body.errcode, 'M_MISSING_TOKEN')
    const unknown = await get('/_synapse/admin/v2/users', 'nope')
    assert.is(unknown.status, 401)
    assert.is(unknown.body.errcode, 'M_UNKNOWN_TOKEN')
    const plain = await get('/_synapse/admin/v2/users', alice.accessToken)
    assert.is(plain.status, 403)
    assert.equal(plain.body, { errcode: 'M_FORBIDDEN', error: 'You are not a server admin' })
    assert.is((await get('/_synapse/admin/v2/users')).status, 200)
  } finally {
    await close()
  }
})

test('users list: next_token paging, order_by/dir, name filter, guests; v2 user info 400 for a remote id, 404 for an unknown one', async () => {
  const { emu, get, close } = await bed()
  try {
    for (const name of ['dave', 'bea', 'carl', 'abe']) emu.registerUser(name, { displayName: `${name} x` })
    emu.registerUser('ghost', { guest: true })
    const pages: string[][] = []
    let from: string | undefined = '0'
    while (from !== undefined) {
      const page: { body: { users: { name: string }[]; next_token?: string; total: number } } = await get(`/_synapse/admin/v2/users?from=${from}&limit=2&guests=false`)
      assert.is(page.body.total, 5)
      pages.push(page.body.users.map((u) => u.name.slice(1, -8)))
      from = page.body.next_token
    }
    assert.equal(pages, [['abe', 'admin'], ['bea', 'carl'], ['dave']])
    const back = await get('/_synapse/admin/v2/users?order_by=displayname&dir=b&guests=false')
    assert.equal(back.body.users.map((u: { displayname: string }) => u.displayname), ['dave x', 'carl x', 'bea x', 'admin', 'abe x'])
    assert.equal((await get('/_synapse/admin/v2/users?name=ca')).body.users.map((u: { name: string }) => u.name), ['@carl:hs.test'])
    assert.is((await get('/_synapse/admin/v2/users')).body.total, 6, 'guests listed by default')
    const user = (await get(`/_synapse/admin/v2/users/${enc('@abe:hs.test')}`)).body
    for (const field of ['name', 'admin', 'deactivated', 'locked', 'creation_ts', 'appservice_id', 'user_type', 'is_guest', 'displayname', 'avatar_url', 'erased']) assert.ok(field in user, field)
    assert.is((await get(`/_synapse/admin/v2/users/${enc('@x:remote.test')}`)).status, 400)
    const missing = await get(`/_synapse/admin/v2/users/${enc('@nobody:hs.test')}`)
    assert.equal([missing.status, missing.body.errcode], [404, 'M_NOT_FOUND'])
  } finally {
    await close()
  }
})

test('rooms list: offset paging with next_batch and prev_batch, order_by creator; members', async () => {
  const { emu, get, close } = await bed()
  try {
    const b = emu.registerUser('b').userId
    const a = emu.registerUser('a').userId
    const rooms = [emu.createRoom(b, { name: 'one' }), emu.createRoom(a, { name: 'two' }), emu.createRoom(b, { name: 'three' })]
    emu.join(rooms[0], a)
    const first = (await get('/_synapse/admin/v1/rooms?from=0&limit=2&order_by=creator')).body
    assert.is(first.total_rooms, 3)
    assert.is(first.next_batch, 2)
    assert.is(first.prev_batch, undefined)
    assert.is(first.rooms[0].room_id, rooms[1])
    const second = (await get('/_synapse/admin/v1/rooms?from=2&limit=2&order_by=creator')).body
    assert.is(second.next_batch, undefined)
    assert.is(second.prev_batch, 0)
    assert.is(second.rooms.length, 1)
    assert.equal((await get('/_synapse/admin/v1/rooms')).body.rooms.map((r: { name: string }) => r.name), ['one', 'three', 'two'])
    assert.equal((await get(`/_synapse/admin/v1/rooms/${enc(rooms[0])}/members`)).body, { members: [b, a], total: 2 })
  } finally {
    await close()
  }
})

test('whoami and profiles', async () => {
  const { emu, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice', { avatarUrl: 'mxc://hs.test/a' })
    assert.equal((await get('/_matrix/client/v3/account/whoami', alice.accessToken)).body, { user_id: alice.userId, is_guest: false, device_id: 'EMULATED' })
    assert.equal((await get('/_matrix/client/v3/account/whoami', AS_TOKEN)).body, { user_id: '@userdir:hs.test', is_guest: false })
    assert.equal((await get(`/_matrix/client/v3/profile/${enc(alice.userId)}`, null)).body, { displayname: 'alice', avatar_url: 'mxc://hs.test/a' })
    assert.equal((await get(`/_matrix/client/v3/profile/${enc(alice.userId)}/displayname`, null)).body, { displayname: 'alice' })
    emu.addFederatedRoom({ creator: '@z:remote.test', members: [{ userId: '@z:remote.test', displayName: 'Zed' }] })
    assert.equal((await get(`/_matrix/client/v3/profile/${enc('@z:remote.test')}`, null)).body, { displayname: 'Zed' })
    assert.is((await get(`/_matrix/client/v3/profile/${enc('@nobody:hs.test')}`, null)).status, 404)
    emu.registerUser('blank', { displayName: null })
    assert.is((await get(`/_matrix/client/v3/profile/${enc('@blank:hs.test')}`, null)).status, 404, 'neither name nor avatar: 404, as Synapse')
  } finally {
    await close()
  }
})

test('faults: 429 with retry_after_ms, 503, raw bodies, counted per route; times runs out', async () => {
  const { emu, get, close } = await bed()
  try {
    emu.fault({ route: 'admin.users', status: 429, retryAfterMs: 1234, times: 1 })
    emu.fault({ route: '*', status: 503, times: 1 })
    const limited = await get('/_synapse/admin/v2/users')
    assert.equal([limited.status, limited.body.errcode, limited.body.retry_after_ms], [429, 'M_LIMIT_EXCEEDED', 1234])
    assert.is((await get('/_synapse/admin/v1/rooms')).status, 503)
    assert.is((await get('/_synapse/admin/v1/rooms')).status, 200)
    assert.is((await get('/_synapse/admin/v2/users')).status, 200)
    assert.is(emu.requestCount('admin.users'), 2)
    assert.is(emu.requestCount('admin.rooms'), 2)
    assert.equal(emu.requests.filter((r) => r.faulted).map((r) => r.status), [429, 503])
    emu.fault({ route: 'profile', rawBody: '<html>gateway</html>' })
    const raw = await fetch(`${emu.url}/_matrix/client/v3/profile/${enc('@admin:hs.test')}`)
    assert.is(await raw.text(), '<html>gateway</html>')
    emu.clearFaults()
    emu.fault({ route: 'whoami', delayMs: 80, times: 1 })
    const t0 = performance.now()
    await get('/_matrix/client/v3/account/whoami')
    assert.ok(performance.now() - t0 >= 70)
  } finally {
    await close()
  }
})

test('down then back: connections refused and nothing pushed, then served again on the same port, held events pushed', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const url = emu.url
    await emu.goDown()
    emu.createRoom(emu.registerUser('early').userId)
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.is(as.received.length, 0, 'a homeserver that is down pushes nothing')
    let refused = false
    try {
      await fetch(`${url}/_synapse/admin/v2/users`)
    } catch {
      refused = true
    }
    assert.ok(refused)
    emu.registerUser('while_down')
    await emu.comeBack()
    assert.is(emu.url, url)
    assert.ok((await get('/_synapse/admin/v2/users')).body.users.some((u: { name: string }) => u.name === '@while_down:hs.test'))
    await emu.delivered()
    assert.is(as.events().length, 5, 'the events created while down are pushed once back')
  } finally {
    await close()
  }
})

test('ping: the AS gets the hs_token and the transaction id; a success makes held transactions go at once', async () => {
  const as = await AsReceiver.start()
  // A back-off unit of 1 s: without the ping, the held transaction would wait 2 s.
  const emu = await SynapseEmulator.start({ appservices: [registration(as.url)], pusher: { backoffUnitMs: 1_000 } })
  const ping = (token: string, id = 'userdir') =>
    fetch(`${emu.url}/_matrix/client/v1/appservice/${id}/ping`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: JSON.stringify({ transaction_id: 'p1' }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }))
  try {
    assert.is((await ping(emu.adminToken)).status, 403)
    assert.is((await ping(AS_TOKEN, 'other')).status, 403)
    as.status = 500
    const failed = await ping(AS_TOKEN)
    assert.equal(as.pings.at(-1), { authorization: 'Bearer hs-secret', body: { transaction_id: 'p1' } })
    assert.equal([failed.status, failed.body.errcode, failed.body.status], [502, 'M_BAD_STATUS', 500])
    emu.createRoom(emu.registerUser('alice').userId)
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.ok(emu.appservices[0].down)
    as.status = 200
    const ok = await ping(AS_TOKEN)
    assert.is(ok.status, 200)
    assert.type(ok.body.duration_ms, 'number')
    assert.equal(as.pings.at(-1), { authorization: 'Bearer hs-secret', body: { transaction_id: 'p1' } })
    await emu.delivered(500)
    assert.not.ok(emu.appservices[0].down)
  } finally {
    await emu.stop()
    await as.close()
  }
})

test.run()
