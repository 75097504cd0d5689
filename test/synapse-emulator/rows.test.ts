// One test per row of issue 20's table (and registration, reactivation, a
// support user, a purged room): what the emulator pushes to the appservice
// and what its Admin API then answers, as Synapse would.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bed, enc, members } from './fixture.js'
import { SynapseEmulator } from './index.js'
import { AsReceiver } from './as-receiver.js'

test('row 1: a global profile change while in rooms is one join→join event per joined room, the new profile in it', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice', { displayName: 'Alice' }).userId
    const r1 = emu.createRoom(alice, { isPublic: true })
    const r2 = emu.createRoom(alice)
    const r3 = emu.createRoom(alice)
    emu.leave(r3, alice)
    await emu.delivered()
    const before = as.events().length
    emu.setProfile(alice, { displayName: 'Alice Liddell', avatarUrl: 'mxc://hs.test/new' })
    await emu.delivered()
    const pushed = as.events().slice(before)
    assert.equal(pushed.map((e) => e.room_id).sort(), [r1, r2].sort())
    for (const e of pushed) {
      assert.equal(e.content, { membership: 'join', displayname: 'Alice Liddell', avatar_url: 'mxc://hs.test/new' })
      assert.equal((e.unsigned as { prev_content: unknown }).prev_content, { membership: 'join', displayname: 'Alice' })
    }
    const info = await get(`/_synapse/admin/v2/users/${enc(alice)}`)
    assert.is(info.body.displayname, 'Alice Liddell')
    assert.is(info.body.avatar_url, 'mxc://hs.test/new')
  } finally {
    await close()
  }
})

test('row 2: a profile change while in no room pushes nothing; the Admin API and the profile answer the new name', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice').userId
    emu.setProfile(alice, { displayName: 'Alice' })
    await emu.delivered()
    assert.is(as.received.length, 0)
    assert.is((await get(`/_synapse/admin/v2/users/${enc(alice)}`)).body.displayname, 'Alice')
    assert.equal((await get(`/_matrix/client/v3/profile/${enc(alice)}`, null)).body, { displayname: 'Alice' })
  } finally {
    await close()
  }
})

test('row 3: registration pushes nothing, the name is the localpart; the first join carries it; the users list newest first shows her', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const now = Math.floor(Date.now() / 1000)
    emu.registerUser('old', { creationTs: 1_000 })
    const bob = emu.registerUser('bob', { creationTs: now + 300 }).userId
    const room = emu.createRoom(emu.registerUser('carol', { creationTs: now + 200 }).userId, { isPublic: true })
    await emu.delivered()
    const before = as.events().length
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.is(as.events().length, before, 'registering bob pushed nothing')
    emu.join(room, bob)
    await emu.delivered()
    assert.equal(members(as.events().slice(before)), [[bob, { membership: 'join', displayname: 'bob' }]])
    const newest = await get('/_synapse/admin/v2/users?order_by=creation_ts&dir=b&limit=2')
    assert.equal(newest.body.users.map((u: { name: string }) => u.name), [bob, '@carol:hs.test'])
    assert.is(newest.body.users[0].creation_ts, (now + 300) * 1000, 'the list answers creation_ts × 1000, as Synapse does')
    assert.is((await get(`/_synapse/admin/v2/users/${enc(bob)}`)).body.creation_ts, now + 300, 'the user info answers it as stored')
    assert.is(newest.body.next_token, '2')
  } finally {
    await close()
  }
})

test('row 4: deactivation pushes nothing at once (invites rejected at once), then the leaves in the background', async () => {
  const { emu, as, get, close } = await bed({ partDelayMs: 60 })
  try {
    const alice = emu.registerUser('alice').userId
    const bob = emu.registerUser('bob').userId
    const joined = emu.createRoom(bob, { isPublic: true })
    const invited = emu.createRoom(alice)
    emu.join(joined, bob)
    emu.invite(invited, alice, bob)
    await emu.delivered()
    const before = as.events().length
    const token = emu.user(bob).accessToken
    emu.deactivate(bob)
    await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(members(as.events().slice(before)), [[bob, { membership: 'leave' }]], 'only the invite is rejected at once')
    assert.is(as.events().slice(before)[0].room_id, invited)
    const info = await get(`/_synapse/admin/v2/users/${enc(bob)}`)
    assert.is(info.body.deactivated, true)
    assert.is((await get('/_matrix/client/v3/account/whoami', token)).status, 401, 'tokens are deleted')
    const listed = async (query: string) => (await get(`/_synapse/admin/v2/users?${query}`)).body.users.map((u: { name: string }) => u.name)
    assert.not.ok((await listed('')).includes(bob))
    assert.ok((await listed('deactivated=true')).includes(bob))
    await emu.delivered()
    const later = as.events().slice(before + 1)
    assert.equal(members(later), [[bob, { membership: 'leave' }]])
    assert.is(later[0].room_id, joined)
  } finally {
    await close()
  }
})

test('row 5: lock and unlock push nothing; the flag shows in the user info and the list filter', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice').userId
    emu.createRoom(alice, { isPublic: true })
    await emu.delivered()
    const before = as.received.length
    emu.lock(alice)
    await emu.delivered()
    assert.is(as.received.length, before)
    assert.is((await get(`/_synapse/admin/v2/users/${enc(alice)}`)).body.locked, true)
    const names = async (query: string) => (await get(`/_synapse/admin/v2/users?${query}`)).body.users.map((u: { name: string }) => u.name)
    assert.not.ok((await names('')).includes(alice), 'locked users are left out unless locked=true (Synapse ≥ 1.93)')
    assert.ok((await names('locked=true')).includes(alice))
    const whoami = await get('/_matrix/client/v3/account/whoami', emu.user(alice).accessToken)
    assert.is(whoami.status, 401)
    assert.is(whoami.body.errcode, 'M_USER_LOCKED')
    emu.unlock(alice)
    await emu.delivered()
    assert.is(as.received.length, before)
    assert.is((await get(`/_synapse/admin/v2/users/${enc(alice)}`)).body.locked, false)
  } finally {
    await close()
  }
})

test('row 6: a user in a non-exclusive appservice namespace is an ordinary member; the user info names the appservice', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const bridged = emu.registerUser('irc_alice', { appserviceId: 'irc' }).userId
    const room = emu.createRoom(bridged, { isPublic: true })
    await emu.delivered()
    assert.equal(members(as.events()), [[bridged, { membership: 'join', displayname: 'irc_alice' }]])
    assert.is(as.events()[0].room_id, room)
    assert.is((await get(`/_synapse/admin/v2/users/${enc(bridged)}`)).body.appservice_id, 'irc')
  } finally {
    await close()
  }
})

test('row 11: a first join to a federated room pushes only the join; the room state endpoint has its full state', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice', { displayName: 'Alice' }).userId
    const room = emu.addFederatedRoom({
      creator: '@zoe:remote.test',
      joinRule: 'public',
      members: [
        { userId: '@zoe:remote.test', displayName: 'Zoe' },
        { userId: '@yann:remote.test', displayName: 'Yann', avatarUrl: 'mxc://remote.test/y' },
        { userId: '@gone:remote.test', membership: 'leave' },
      ],
    })
    assert.is((await get(`/_synapse/admin/v1/rooms/${enc(room)}/state`)).status, 404, 'unknown to this server before the join')
    assert.is((await get('/_synapse/admin/v1/rooms')).body.total_rooms, 0)
    emu.remoteMember(room, '@xavier:remote.test', 'join', { displayName: 'Xavier' })
    await emu.delivered()
    assert.is(as.received.length, 0, 'nothing from a room this server is not in')
    emu.join(room, alice)
    await emu.delivered()
    assert.equal(members(as.events()), [[alice, { membership: 'join', displayname: 'Alice' }]])
    assert.is(as.events().length, 1)
    const state = await get(`/_synapse/admin/v1/rooms/${enc(room)}/state`)
    assert.is(state.status, 200)
    const memberships = Object.fromEntries(state.body.state.filter((e: { type: string }) => e.type === 'm.room.member').map((e: { state_key: string; content: { membership: string } }) => [e.state_key, e.content.membership]))
    assert.equal(memberships, { '@zoe:remote.test': 'join', '@yann:remote.test': 'join', '@gone:remote.test': 'leave', '@xavier:remote.test': 'join', [alice]: 'join' })
    assert.ok(state.body.state.some((e: { type: string; content: { join_rule?: string } }) => e.type === 'm.room.join_rules' && e.content.join_rule === 'public'))
    assert.equal((await get('/_synapse/admin/v1/rooms')).body.rooms.map((r: { room_id: string }) => r.room_id), [room])
    // Once in, remote changes are pushed.
    emu.remoteProfileChange('@yann:remote.test', { displayName: 'Yann B', avatarUrl: null })
    await emu.delivered()
    assert.equal(members(as.events().slice(1)), [['@yann:remote.test', { membership: 'join', displayname: 'Yann B' }]])
  } finally {
    await close()
  }
})

test('row 10: with the appservice down the transaction is held and retried with the same id; later events follow in order', async () => {
  const as = await AsReceiver.start()
  const { registration } = await import('./fixture.js')
  const emu = await SynapseEmulator.start({ appservices: [registration(as.url)], pusher: { backoffUnitMs: 5 } })
  try {
    as.status = 503
    const alice = emu.registerUser('alice').userId
    const room = emu.createRoom(alice, { isPublic: true })
    await new Promise((resolve) => setTimeout(resolve, 30))
    assert.ok(emu.appservices[0].down)
    emu.setJoinRule(room, 'invite')
    await new Promise((resolve) => setTimeout(resolve, 50))
    const ids = as.received.map((t) => t.txnId)
    assert.ok(ids.length >= 3, `retried: ${ids.join(',')}`)
    assert.ok(ids.every((id) => id === '1'), `the same id on every retry, the later transactions held: ${ids.join(',')}`)
    as.status = 200
    await emu.delivered()
    const txns = emu.appservices[0].transactions
    assert.equal(txns.map((t) => t.txnId), [1, 2, 3])
    assert.ok(txns.every((t) => t.delivered))
    assert.ok(txns[0].attempts.length >= 3)
    assert.equal(txns[2].attempts, [200], 'held while down: sent once, after the older ones')
    const order = as.received.map((t) => Number(t.txnId))
    assert.equal(order.filter((id, i) => i === 0 || id !== order[i - 1]), [1, 2, 3], 'delivered oldest first')
    assert.equal(as.events().map((e) => e.type).slice(-1), ['m.room.join_rules'])
    assert.equal(as.events().at(-1)?.content, { join_rule: 'invite' })
  } finally {
    await emu.stop()
    await as.close()
  }
})

test('reactivation marks the user active and pushes nothing; a support user answers user_type support', async () => {
  const { emu, as, get, close } = await bed({ partDelayMs: 0 })
  try {
    const alice = emu.registerUser('alice').userId
    emu.createRoom(alice, { isPublic: true })
    emu.deactivate(alice)
    await emu.delivered()
    const before = as.received.length
    emu.reactivate(alice)
    await emu.delivered()
    assert.is(as.received.length, before)
    assert.is((await get(`/_synapse/admin/v2/users/${enc(alice)}`)).body.deactivated, false)
    const support = emu.registerUser('helpdesk', { userType: 'support' }).userId
    assert.is((await get(`/_synapse/admin/v2/users/${enc(support)}`)).body.user_type, 'support')
    const notSupport = await get('/_synapse/admin/v2/users?not_user_type=support')
    assert.not.ok(notSupport.body.users.some((u: { name: string }) => u.name === support))
  } finally {
    await close()
  }
})

test('a purged room: local members leave (pushed), then its state answers 404 and it leaves the rooms list', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice').userId
    const room = emu.createRoom(alice, { isPublic: true })
    await emu.delivered()
    const before = as.events().length
    emu.purgeRoom(room)
    await emu.delivered()
    assert.equal(members(as.events().slice(before)), [[alice, { membership: 'leave' }]])
    const state = await get(`/_synapse/admin/v1/rooms/${enc(room)}/state`)
    assert.is(state.status, 404)
    assert.equal(state.body, { errcode: 'M_NOT_FOUND', error: 'Room not found' })
    assert.is((await get('/_synapse/admin/v1/rooms')).body.total_rooms, 0)
  } finally {
    await close()
  }
})

test('a partial-state first join: only the join is pushed, and the room state request waits until the resync is done', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice').userId
    const room = emu.addFederatedRoom({ creator: '@zoe:remote.test', members: [{ userId: '@zoe:remote.test', displayName: 'Zoe' }] })
    emu.join(room, alice, { partialStateMs: 150 })
    assert.ok(emu.isPartialState(room))
    const t0 = performance.now()
    const state = await get(`/_synapse/admin/v1/rooms/${enc(room)}/state`)
    const waited = performance.now() - t0
    assert.ok(waited >= 120, `the read waited for the full state: ${Math.round(waited)} ms`)
    assert.ok(state.body.state.some((e: { state_key: string }) => e.state_key === '@zoe:remote.test'))
    assert.not.ok(emu.isPartialState(room))
    await emu.delivered()
    assert.equal(members(as.events()), [[alice, { membership: 'join', displayname: 'alice' }]])
    const t1 = performance.now()
    await get(`/_synapse/admin/v1/rooms/${enc(room)}/state`)
    assert.ok(performance.now() - t1 < 100, 'no wait once complete')
  } finally {
    await close()
  }
})

test('a room this server left: remote changes are not seen, a local rejoin brings them in unpushed, with only the join pushed', async () => {
  const { emu, as, get, close } = await bed()
  try {
    const alice = emu.registerUser('alice').userId
    const room = emu.addFederatedRoom({ creator: '@zoe:remote.test', members: [{ userId: '@zoe:remote.test', displayName: 'Zoe' }] })
    emu.join(room, alice)
    emu.leave(room, alice)
    await emu.delivered()
    const before = as.events().length
    emu.remoteMember(room, '@wu:remote.test', 'join', { displayName: 'Wu' })
    await emu.delivered()
    assert.is(as.events().length, before, 'not pushed: this server is not in the room')
    const hasWu = async () => (await get(`/_synapse/admin/v1/rooms/${enc(room)}/state`)).body.state.some((e: { state_key: string }) => e.state_key === '@wu:remote.test')
    assert.not.ok(await hasWu(), 'nor in the state this server has')
    emu.join(room, alice)
    await emu.delivered()
    assert.equal(members(as.events().slice(before)), [[alice, { membership: 'join', displayname: 'alice' }]])
    assert.ok(await hasWu())
  } finally {
    await close()
  }
})

test.run()
