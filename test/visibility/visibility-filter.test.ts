import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { UserId } from '../../src/ids/index.js'
import { VisibilityFilter } from '../../src/visibility/index.js'
import type { CandidateEntries, PrivateRoomSharing, VisibilityModes } from '../../src/visibility/index.js'

const test = suite('src/visibility/visibility-filter.ts')

interface FakeUser {
  userId: UserId
  local: boolean
  locked: boolean
  inPublicRoom: boolean
}

// The entries by dense id (index = id) and private rooms as member lists.
function fakes(users: FakeUser[], privateRooms: UserId[][]): { entries: CandidateEntries; sharing: PrivateRoomSharing; calls: { intersections: number; stamps: number } } {
  const ids = new Map(users.map((user, id) => [user.userId, id]))
  const calls = { intersections: 0, stamps: 0 }
  const entries: CandidateEntries = {
    idOf: (userId) => ids.get(userId) ?? -1,
    idLimit: users.length,
    isLocal: (id) => users[id].local,
    isLocked: (id) => users[id].locked,
    isInPublicRoom: (id) => users[id].inPublicRoom,
  }
  const sharing: PrivateRoomSharing = {
    sharesPrivateRoom(requester, other) {
      calls.intersections++
      return requester !== other && privateRooms.some((room) => room.includes(requester) && room.includes(other))
    },
    forEachPrivateSharerCandidate(requester, visit) {
      calls.stamps++
      for (const room of privateRooms) if (room.includes(requester)) for (const member of room) if (member !== requester) visit(member)
    },
  }
  return { entries, sharing, calls }
}

const user = (name: string, facts: Partial<Omit<FakeUser, 'userId'>> = {}): FakeUser => ({ userId: `@${name}:hs` as UserId, local: true, locked: false, inPublicRoom: false, ...facts })
const modes = (set: Partial<VisibilityModes> = {}): VisibilityModes => ({ searchAllUsers: false, excludeRemoteUsers: false, showLockedUsers: false, ...set })

// Who `requester` may see, by the rules of SPEC §3 written out plainly.
function expected(users: FakeUser[], privateRooms: UserId[][], requester: UserId, mode: VisibilityModes, candidate: FakeUser): boolean {
  if (mode.excludeRemoteUsers && !candidate.local) return false
  if (!mode.showLockedUsers && candidate.locked) return false
  if (mode.searchAllUsers) return candidate.userId !== requester
  if (candidate.inPublicRoom) return true
  return candidate.userId !== requester && privateRooms.some((room) => room.includes(requester) && room.includes(candidate.userId))
}

test('a user in a public room is visible; one outside every room is not; a private-room sharer is', () => {
  const users = [user('me'), user('pub', { inPublicRoom: true }), user('alone'), user('friend')]
  const { entries, sharing } = fakes(users, [[users[0].userId, users[3].userId]])
  const filter = new VisibilityFilter().reset(users[0].userId, modes(), entries, sharing)
  assert.equal(
    users.map((u, id) => filter.accepts(id, u)),
    [false, true, false, true],
  )
})

test('searchAllUsers: everyone but the requester; excludeRemoteUsers: local users only; showLockedUsers: locked users too', () => {
  const users = [user('me'), user('remote', { local: false, inPublicRoom: true }), user('locked', { locked: true, inPublicRoom: true }), user('alone')]
  const { entries, sharing } = fakes(users, [])
  const accepted = (mode: VisibilityModes): boolean[] => {
    const filter = new VisibilityFilter().reset(users[0].userId, mode, entries, sharing)
    return users.map((u, id) => filter.accepts(id, u))
  }
  assert.equal(accepted(modes({ searchAllUsers: true })), [false, true, false, true])
  assert.equal(accepted(modes({ searchAllUsers: true, showLockedUsers: true })), [false, true, true, true])
  assert.equal(accepted(modes({ searchAllUsers: true, excludeRemoteUsers: true })), [false, false, false, true])
  assert.equal(accepted(modes({ showLockedUsers: true })), [false, true, true, false])
})

test('the first candidates outside public rooms intersect room sets; later ones read the stamped co-members (one stamp per search)', () => {
  const users = [user('me'), ...Array.from({ length: 40 }, (_, i) => user(`u${i}`))]
  const room = [users[0].userId, ...users.filter((_, id) => id % 3 === 0).map((u) => u.userId)]
  const { entries, sharing, calls } = fakes(users, [room])
  const filter = new VisibilityFilter().reset(users[0].userId, modes(), entries, sharing)
  const got = users.map((u, id) => filter.accepts(id, u))
  assert.equal(
    got,
    users.map((u) => u.userId !== users[0].userId && room.includes(u.userId)),
  )
  assert.is(calls.intersections, 16)
  assert.is(calls.stamps, 1)
  filter.reset(users[0].userId, modes(), entries, sharing)
  assert.is(filter.accepts(3, users[3]), true, 'reset starts with intersections again')
  assert.is(calls.intersections, 17)
})

test('a stamp of one search is not read by the next requester', () => {
  const users = [user('a'), user('b'), ...Array.from({ length: 30 }, (_, i) => user(`u${i}`))]
  const { entries, sharing } = fakes(users, [users.slice(0, 1).concat(users.slice(2)).map((u) => u.userId)])
  const filter = new VisibilityFilter().reset(users[0].userId, modes(), entries, sharing)
  for (let id = 0; id < users.length; id++) filter.accepts(id, users[id])
  filter.reset(users[1].userId, modes(), entries, sharing)
  assert.equal(
    users.map((u, id) => filter.accepts(id, u)),
    users.map(() => false),
  )
})

test('accepts agrees with the rules written out, for any users, private rooms, modes and walk order', () => {
  const arbUser = fc.record({ local: fc.boolean(), locked: fc.boolean(), inPublicRoom: fc.boolean() })
  fc.assert(
    fc.property(
      fc.array(arbUser, { minLength: 1, maxLength: 60 }),
      fc.array(fc.array(fc.nat(59), { maxLength: 8 }), { maxLength: 5 }),
      fc.nat(59),
      fc.record({ searchAllUsers: fc.boolean(), excludeRemoteUsers: fc.boolean(), showLockedUsers: fc.boolean() }),
      fc.array(fc.nat(), { minLength: 60, maxLength: 60 }),
      (facts, rooms, requesterIndex, mode, order) => {
        const users = facts.map((f, i) => ({ userId: `@u${i}:hs` as UserId, ...f }))
        const privateRooms = rooms.map((members) => [...new Set(members.filter((i) => i < users.length))].map((i) => users[i].userId))
        const requester = users[requesterIndex % users.length].userId
        const { entries, sharing } = fakes(users, privateRooms)
        const filter = new VisibilityFilter().reset(requester, mode, entries, sharing)
        const ids = users.map((_, id) => id)
        for (let i = ids.length - 1; i > 0; i--) {
          const j = order[i] % (i + 1)
          ;[ids[i], ids[j]] = [ids[j], ids[i]]
        }
        for (const id of ids) assert.is(filter.accepts(id, users[id]), expected(users, privateRooms, requester, mode, users[id]), users[id].userId)
      },
    ),
    { numRuns: 200 },
  )
})

test.run()
