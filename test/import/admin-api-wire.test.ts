import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseRoomState, parseRoomsPage, parseUsersPage } from '../../src/import/admin-api-wire.js'
import { ImportError } from '../../src/import/index.js'

const test = suite('src/import/admin-api-wire.ts')

test("users: next_token as Synapse sends it, older 0/1 flags, a missing locked (before 1.93) reads as false", () => {
  const page = parseUsersPage({ users: [{ name: '@a:hs', deactivated: 1, user_type: null, displayname: 'A', avatar_url: null }], next_token: '100', total: 200 }, 'p')
  assert.equal(page, { users: [{ userId: '@a:hs', userType: null, deactivated: true, locked: false, isGuest: false, creationTs: null, displayName: 'A', avatarUrl: null }], nextToken: '100', total: 200 })
  assert.is(parseUsersPage({ users: [] }, 'p').nextToken, null)
})

test('rooms: next_batch (the code) or next_token (the docs), as a number or digits', () => {
  assert.is(parseRoomsPage({ rooms: [{ room_id: '!r:hs' }], next_batch: 100 }, 'p').next, 100)
  assert.is(parseRoomsPage({ rooms: [], next_token: '200' }, 'p').next, 200)
  assert.is(parseRoomsPage({ rooms: [], total_rooms: 5 }, 'p').next, null)
})

test('a wrong shape is a bad_response ImportError naming the field; malformed state events are counted, not fatal', () => {
  assert.throws(() => parseUsersPage({ users: [{ name: 3 }] }, 'users page from 0'), (e: unknown) => e instanceof ImportError && e.reason === 'bad_response' && /users page from 0: every user needs a string `name`/.test(e.message))
  assert.throws(() => parseRoomsPage({ rooms: [], next_batch: 'x' }, 'p'), (e: unknown) => e instanceof ImportError && /next_batch must be an integer offset/.test(e.message))
  const state = parseRoomState({ state: [{ type: 'm.room.member', state_key: '@a:hs', content: { membership: 'join' } }, { type: 'm.room.member', content: null }] }, 's')
  assert.is(state.events.length, 1)
  assert.is(state.skipped, 1)
})

test.run()
