import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SynapseEmulator } from './index.js'
import type { EmulatedAppservice } from './index.js'
import { AsReceiver } from './as-receiver.js'

const registration = (url: string): EmulatedAppservice => ({
  id: 'userdir',
  url,
  hs_token: 'hs-secret',
  as_token: 'as-secret',
  sender_localpart: 'userdir',
  namespaces: { users: [{ regex: '@userdir:hs\\.test', exclusive: true }], rooms: [{ regex: '.*', exclusive: false }] },
})

async function setup(): Promise<{ emu: SynapseEmulator; as: AsReceiver }> {
  const as = await AsReceiver.start()
  const emu = await SynapseEmulator.start({ appservices: [registration(as.url)] })
  return { emu, as }
}

const members = (events: Record<string, unknown>[]) => events.filter((e) => e.type === 'm.room.member').map((e) => [e.state_key, e.content])

test('registration pushes nothing; the display name defaults to the localpart', async () => {
  const { emu, as } = await setup()
  try {
    emu.registerUser('alice')
    await emu.delivered()
    assert.is(as.received.length, 0)
    assert.is(emu.user('@alice:hs.test').displayName, 'alice')
  } finally {
    await emu.stop()
    await as.close()
  }
})

test('a transaction carries the room events with the hs_token, in client format', async () => {
  const { emu, as } = await setup()
  try {
    emu.registerUser('alice', { displayName: 'Alice', avatarUrl: 'mxc://hs.test/a' })
    const room = emu.createRoom('@alice:hs.test', { isPublic: true })
    await emu.delivered()
    assert.ok(as.received.length >= 1)
    assert.is(as.received[0].authorization, 'Bearer hs-secret')
    assert.is(as.received[0].txnId, '1')
    const events = as.events()
    assert.equal(events.map((e) => e.type), ['m.room.create', 'm.room.member', 'm.room.power_levels', 'm.room.join_rules', 'm.room.history_visibility'])
    assert.equal(members(events), [['@alice:hs.test', { membership: 'join', displayname: 'Alice', avatar_url: 'mxc://hs.test/a' }]])
    assert.is(events[1].room_id, room)
    assert.is(events[1].user_id, '@alice:hs.test')
    assert.equal(events[3].content, { join_rule: 'public' })
  } finally {
    await emu.stop()
    await as.close()
  }
})

test.run()
