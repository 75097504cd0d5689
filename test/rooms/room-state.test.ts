import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { applyDelta, emptyRoom, isRoomPublic, validateDelta } from '../../src/rooms/index.js'
import type { RoomId, UserId } from '../../src/ids/index.js'

const test = suite('rooms/room-state')
const roomId = '!r:test' as RoomId
const isLocal = (u: UserId) => u.endsWith(':test')

function apply(room: ReturnType<typeof emptyRoom>, delta: object) {
  return applyDelta(room, roomId, validateDelta({ room_id: roomId, state_key: '', ...delta }), isLocal)
}

test('a room is public when joinable by anyone or world-readable', () => {
  const room = emptyRoom()
  assert.not.ok(isRoomPublic(room))
  assert.equal(apply(room, { type: 'm.room.join_rules', content: { join_rule: 'public' } }), { kind: 'publicity', roomId, wasPublic: false, isPublic: true })
  assert.equal(apply(room, { type: 'm.room.history_visibility', content: { history_visibility: 'world_readable' } }), { kind: 'none' })
  assert.equal(apply(room, { type: 'm.room.join_rules', content: { join_rule: 'invite' } }), { kind: 'none' })
  assert.equal(apply(room, { type: 'm.room.history_visibility', content: null }).kind, 'publicity')
  assert.not.ok(isRoomPublic(room))
})

test('only joins count as membership; invites, bans and leaves do not', () => {
  const room = emptyRoom()
  const member = (membership: string, extra = {}) => apply(room, { type: 'm.room.member', state_key: '@bob:remote', content: { membership, ...extra } })
  assert.equal(member('invite').kind, 'none')
  const joined = member('join', { displayname: 'Bob' })
  assert.equal(joined.kind === 'membership' && [joined.wasJoined, joined.isJoined], [false, true])
  assert.equal(member('join', { displayname: 'Bob' }).kind, 'none', 'an identical join changes nothing')
  const renamed = member('join', { displayname: 'Robert' })
  assert.ok(renamed.kind === 'membership' && renamed.profileChanged)
  const banned = member('ban')
  assert.equal(banned.kind === 'membership' && [banned.wasJoined, banned.isJoined], [true, false])
  assert.equal(room.joined.size, 0)
})

test('local members keep no event profile; remote members keep theirs', () => {
  const room = emptyRoom()
  apply(room, { type: 'm.room.member', state_key: '@alice:test', content: { membership: 'join', displayname: 'Nick' } })
  apply(room, { type: 'm.room.member', state_key: '@bob:remote', content: { membership: 'join', displayname: 'Bob', avatar_url: 7 } })
  assert.equal(room.joined.get('@alice:test' as UserId), null)
  assert.equal(room.joined.get('@bob:remote' as UserId), { displayName: 'Bob', avatarUrl: null })
})

test('a removed member state entry (content null) is a leave', () => {
  const room = emptyRoom()
  apply(room, { type: 'm.room.member', state_key: '@bob:remote', content: { membership: 'join' } })
  const change = apply(room, { type: 'm.room.member', state_key: '@bob:remote', content: null })
  assert.ok(change.kind === 'membership' && !change.isJoined)
})

test.run()
