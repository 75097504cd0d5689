import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { RoomId, ServerName, UserId } from '../../src/ids/index.js'
import { emptyRoom, isRoomPublic } from '../../src/rooms/index.js'
import type { RoomState } from '../../src/rooms/index.js'
import { RoomVisibility, UserRegistry } from '../../src/visibility/index.js'
import type { VisibilityChange } from '../../src/visibility/index.js'

const test = suite('src/visibility/room-visibility.ts')

const LOCALS = ['@l0:hs', '@l1:hs', '@l2:hs', '@l3:hs'] as UserId[]
const REMOTES = ['@r0:other', '@r1:other', '@r2:other', '@r3:other'] as UserId[]
const USERS = [...LOCALS, ...REMOTES]
const ROOMS = ['!a:hs', '!b:hs', '!c:hs'] as RoomId[]

// Rooms and a registry fed through RoomVisibility's updates, as the directory feeds them.
function world(): {
  rooms: Map<RoomId, RoomState>
  registry: UserRegistry
  visibility: RoomVisibility
  join: (roomId: RoomId, userId: UserId) => VisibilityChange
  leave: (roomId: RoomId, userId: UserId) => VisibilityChange
  publicity: (roomId: RoomId, isPublic: boolean) => VisibilityChange
  register: (userId: UserId, deactivated: boolean) => VisibilityChange
} {
  const rooms = new Map<RoomId, RoomState>(ROOMS.map((roomId) => [roomId, emptyRoom()]))
  const registry = new UserRegistry('hs' as ServerName, [])
  const visibility = new RoomVisibility(rooms, registry)
  const room = (roomId: RoomId): RoomState => rooms.get(roomId) as RoomState
  return {
    rooms,
    registry,
    visibility,
    join(roomId, userId) {
      if (room(roomId).joined.has(userId)) return { dropped: [], publicFlips: [] }
      room(roomId).joined.set(userId, null)
      return visibility.onMembership(roomId, userId, 1)
    },
    leave(roomId, userId) {
      if (!room(roomId).joined.delete(userId)) return { dropped: [], publicFlips: [] }
      return visibility.onMembership(roomId, userId, -1)
    },
    publicity(roomId, isPublic) {
      const state = room(roomId)
      if (isRoomPublic(state) === isPublic) return { dropped: [], publicFlips: [] }
      state.joinRule = isPublic ? 'public' : 'invite'
      return visibility.onPublicity(roomId, isPublic)
    },
    register(userId, deactivated) {
      const was = registry.isIncluded(userId)
      registry.set(userId, { userType: null, deactivated, locked: false })
      const is = registry.isIncluded(userId)
      return was === is ? { dropped: [], publicFlips: [] } : visibility.onInclusion(userId, is)
    },
  }
}

const [a, b] = ROOMS
const [l0, l1] = LOCALS
const [r0, r1] = REMOTES

test('a remote user joining a public room the server is in flips in; leaving their last room flips them out and drops them', () => {
  const w = world()
  w.register(l0, false)
  w.publicity(a, true)
  assert.equal(w.join(a, l0), { dropped: [], publicFlips: [l0] })
  assert.equal(w.join(a, r0), { dropped: [], publicFlips: [r0] })
  assert.equal(w.join(b, r0), { dropped: [], publicFlips: [] }, 'b has no local member: the server is not in it')
  assert.equal(w.leave(a, r0), { dropped: [r0], publicFlips: [r0] })
})

test('leaving one of two public rooms flips nothing; a remote user still sharing a private room is not dropped', () => {
  const w = world()
  w.register(l0, false)
  w.publicity(a, true)
  w.publicity(b, true)
  for (const roomId of ROOMS) w.join(roomId, l0)
  w.join(a, r0)
  w.join(b, r0)
  w.join(ROOMS[2], r0)
  assert.equal(w.leave(a, r0), { dropped: [], publicFlips: [] })
  assert.equal(w.leave(b, r0), { dropped: [], publicFlips: [r0] }, 'still in private room c')
  assert.equal(w.leave(ROOMS[2], r0), { dropped: [r0], publicFlips: [] })
})

test('a room going public flips its included members in, going private flips them out; members in another public room do not flip', () => {
  const w = world()
  w.register(l0, false)
  w.register(l1, true) // deactivated: excluded
  for (const userId of [l0, l1, r0, r1]) w.join(a, userId)
  w.publicity(b, true)
  w.join(b, l0)
  w.join(b, r1)
  assert.equal(w.publicity(a, true), { dropped: [], publicFlips: [r0] })
  assert.equal(w.publicity(a, false), { dropped: [], publicFlips: [r0] })
  assert.equal(w.publicity(ROOMS[2], true), { dropped: [], publicFlips: [] }, 'the server is not in c')
})

test('the first local member puts the server in a public room: every included member flips in; the last one leaving drops the remote members', () => {
  const w = world()
  w.register(l0, false)
  w.publicity(a, true)
  w.join(a, r0)
  w.join(a, r1)
  assert.equal(w.join(a, l0), { dropped: [], publicFlips: [r0, r1, l0] })
  assert.equal(w.leave(a, l0), { dropped: [r0, r1], publicFlips: [r0, r1, l0] })
})

test('a local user deactivated in a public room flips out, and back in when reactivated', () => {
  const w = world()
  w.register(l0, false)
  w.register(l1, false)
  w.publicity(a, true)
  w.join(a, l0)
  w.join(a, l1)
  assert.equal(w.register(l1, true), { dropped: [], publicFlips: [l1] })
  assert.equal(w.register(l1, false), { dropped: [], publicFlips: [l1] })
})

test('recount reports nothing and leaves the counters as the updates left them', () => {
  const w = world()
  w.register(l0, false)
  w.publicity(a, true)
  w.join(a, l0)
  w.join(a, r0)
  const before = [new Map(w.visibility.publicRoomCounts), new Map(w.visibility.sharedRoomCounts), new Map(w.visibility.localMemberCounts)]
  w.visibility.recount()
  assert.equal([w.visibility.publicRoomCounts, w.visibility.sharedRoomCounts, w.visibility.localMemberCounts], before)
  assert.equal(w.join(a, r1), { dropped: [], publicFlips: [r1] }, 'an update after a recount reports only its own change')
})

type Op =
  | { kind: 'join' | 'leave'; room: number; user: number }
  | { kind: 'publicity'; room: number; isPublic: boolean }
  | { kind: 'register'; user: number; deactivated: boolean }
  | { kind: 'undo'; steps: Op[] }

const arbStep: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('join' as const, 'leave' as const), room: fc.nat(ROOMS.length - 1), user: fc.nat(USERS.length - 1) }),
  fc.record({ kind: fc.constant('publicity' as const), room: fc.nat(ROOMS.length - 1), isPublic: fc.boolean() }),
  fc.record({ kind: fc.constant('register' as const), user: fc.nat(LOCALS.length - 1), deactivated: fc.boolean() }),
)
// `undo`: facts changed behind the visibility's back, then `repair` (what a rolled-back unit of work does).
const arbOp: fc.Arbitrary<Op> = fc.oneof({ weight: 4, arbitrary: arbStep }, { weight: 1, arbitrary: fc.record({ kind: fc.constant('undo' as const), steps: fc.array(arbStep, { maxLength: 4 }) }) })

test('toggling the bit of every returned flip keeps a mirror equal to a recount from scratch; dropped is exactly who stopped being held', () => {
  fc.assert(
    fc.property(fc.array(arbOp, { maxLength: 40 }), (ops) => {
      const w = world()
      const mirror = new Set<UserId>()
      const held = (): Set<UserId> => new Set(REMOTES.filter((userId) => w.visibility.isRemoteHeld(userId)))
      for (const op of ops) {
        const heldBefore = held()
        let change: VisibilityChange
        if (op.kind === 'undo') {
          const rooms = new Map<RoomId, { serverIn: boolean; isPublic: boolean }>()
          const members: [RoomId, UserId][] = []
          const users: UserId[] = []
          for (const step of op.steps) {
            if (step.kind === 'register') {
              w.registry.set(LOCALS[step.user], { userType: null, deactivated: step.deactivated, locked: false })
              users.push(LOCALS[step.user])
              continue
            }
            if (step.kind === 'undo') continue
            const roomId = ROOMS[step.room]
            const room = w.rooms.get(roomId) as RoomState
            if (!rooms.has(roomId)) rooms.set(roomId, { serverIn: w.visibility.isServerIn(roomId), isPublic: isRoomPublic(room) })
            if (step.kind === 'publicity') {
              room.joinRule = step.isPublic ? 'public' : 'invite'
            } else {
              if (step.kind === 'join') room.joined.set(USERS[step.user], null)
              else room.joined.delete(USERS[step.user])
              members.push([roomId, USERS[step.user]])
            }
          }
          change = w.visibility.repair(members, rooms, users)
          assert.equal(change.dropped, [], 'repair reports no drops')
        } else {
          change =
            op.kind === 'register'
              ? w.register(LOCALS[op.user], op.deactivated)
              : op.kind === 'publicity'
                ? w.publicity(ROOMS[op.room], op.isPublic)
                : op.kind === 'join'
                  ? w.join(ROOMS[op.room], USERS[op.user])
                  : w.leave(ROOMS[op.room], USERS[op.user])
          const heldAfter = held()
          assert.equal(new Set(change.dropped), new Set([...heldBefore].filter((userId) => !heldAfter.has(userId))), `dropped after ${JSON.stringify(op)}`)
          assert.is(new Set(change.dropped).size, change.dropped.length, 'each drop once')
        }
        for (const userId of change.publicFlips) if (!mirror.delete(userId)) mirror.add(userId)
        const fresh = new RoomVisibility(w.rooms, w.registry)
        fresh.recount()
        assert.equal(mirror, new Set(USERS.filter((userId) => fresh.isInPublicRoom(userId))), `mirror after ${JSON.stringify(op)}`)
        assert.equal(w.visibility.publicRoomCounts, fresh.publicRoomCounts)
        assert.equal(w.visibility.sharedRoomCounts, fresh.sharedRoomCounts)
      }
    }),
    { numRuns: 300 },
  )
})

test.run()
