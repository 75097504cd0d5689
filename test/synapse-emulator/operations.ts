// Random homeserver histories for model-based tests: operations as plain
// data (fast-check prints them on failure) and `applyOperation`, which runs
// one on the emulator. Indices pick among what exists at that moment
// (modulo the count), and an operation Synapse would refuse (joining an
// invite-only room uninvited, a deactivated or locked user acting, …) is
// skipped, so every generated sequence is a valid history.
import fc from 'fast-check'
import type { SynapseEmulator } from './emulator.js'

export const NAMES = ['Alice', 'Bob Smith', 'Émile', 'Иван', 'alice smith', 'user-71']
export const REMOTE_USERS = ['@r0:remote.test', '@r1:remote.test', '@r2:other.test']

export type HomeserverOperation =
  | { op: 'register'; kind: 'normal' | 'support' | 'bot' | 'bridged' }
  | { op: 'setProfile'; user: number; name: number | null; avatar: boolean }
  | { op: 'createRoom'; user: number; isPublic: boolean }
  | { op: 'federatedRoom'; isPublic: boolean; members: number[] }
  | { op: 'join'; user: number; room: number }
  | { op: 'leave'; user: number; room: number }
  | { op: 'invite'; user: number; target: number; room: number }
  | { op: 'deactivate'; user: number }
  | { op: 'reactivate'; user: number }
  | { op: 'lock'; user: number }
  | { op: 'unlock'; user: number }
  | { op: 'joinRule'; room: number; rule: 'public' | 'invite' }
  | { op: 'historyVisibility'; room: number; value: 'world_readable' | 'shared' | 'joined' }
  | { op: 'remoteMember'; remote: number; room: number; membership: 'join' | 'leave'; name: number | null }
  | { op: 'remoteProfile'; remote: number; name: number | null }

const index = fc.nat({ max: 50 })
const name = fc.option(fc.nat({ max: NAMES.length - 1 }), { nil: null })
const remote = fc.nat({ max: REMOTE_USERS.length - 1 })

/** One operation; weights favour memberships and profile changes. */
export const homeserverOperation: fc.Arbitrary<HomeserverOperation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('register' as const), kind: fc.constantFrom('normal' as const, 'normal' as const, 'normal' as const, 'support' as const, 'bot' as const, 'bridged' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('setProfile' as const), user: index, name, avatar: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('createRoom' as const), user: index, isPublic: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('federatedRoom' as const), isPublic: fc.boolean(), members: fc.uniqueArray(remote, { maxLength: 3 }) }) },
  { weight: 6, arbitrary: fc.record({ op: fc.constant('join' as const), user: index, room: index }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('leave' as const), user: index, room: index }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('invite' as const), user: index, target: index, room: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deactivate' as const), user: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reactivate' as const), user: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('lock' as const), user: index }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unlock' as const), user: index }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('joinRule' as const), room: index, rule: fc.constantFrom('public' as const, 'invite' as const) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('historyVisibility' as const), room: index, value: fc.constantFrom('world_readable' as const, 'shared' as const, 'joined' as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('remoteMember' as const), remote, room: index, membership: fc.constantFrom('join' as const, 'join' as const, 'leave' as const), name }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remoteProfile' as const), remote, name }) },
)

/** Three users, a public room and a public federated room first, so most operations find something to act on. */
export const PRELUDE: readonly HomeserverOperation[] = [
  { op: 'register', kind: 'normal' },
  { op: 'register', kind: 'normal' },
  { op: 'register', kind: 'normal' },
  { op: 'createRoom', user: 0, isPublic: true },
  { op: 'federatedRoom', isPublic: true, members: [0, 1] },
]

/** The prelude, then up to `maxLength` random operations (default 25). */
export function homeserverHistory(maxLength = 25): fc.Arbitrary<HomeserverOperation[]> {
  return fc.array(homeserverOperation, { minLength: Math.min(10, maxLength), maxLength }).map((ops) => [...PRELUDE, ...ops])
}

const pick = <T>(items: readonly T[], i: number): T | undefined => (items.length === 0 ? undefined : items[i % items.length])

/**
 * Runs one operation on the emulator. Returns false when it was skipped
 * (nothing to pick, or Synapse would refuse it). Users registered here are
 * `@u<n>:<server>`; the admin is never picked.
 */
export function applyOperation(emu: SynapseEmulator, operation: HomeserverOperation): boolean {
  const users = [...emu.users.values()].filter((u) => !u.admin)
  const rooms = [...emu.rooms.keys()]
  const active = (userId: string): boolean => {
    const user = emu.users.get(userId)
    return user !== undefined && !user.deactivated && !user.locked
  }
  const joinRule = (roomId: string): unknown => emu.rooms.get(roomId)?.state.find((e) => e.type === 'm.room.join_rules')?.content.join_rule
  const localJoined = (roomId: string): boolean => emu.rooms.get(roomId)?.state.some((e) => e.type === 'm.room.member' && emu.isLocal(e.state_key) && e.content.membership === 'join') === true
  switch (operation.op) {
    case 'register': {
      const n = emu.users.size
      const kind = operation.kind
      emu.registerUser(`u${n}`, { userType: kind === 'support' ? 'support' : kind === 'bot' ? 'bot' : null, appserviceId: kind === 'bridged' ? 'bridge' : null })
      return true
    }
    case 'setProfile': {
      const user = pick(users, operation.user)
      if (user === undefined || user.deactivated) return false
      emu.setProfile(user.userId, { displayName: operation.name === null ? null : NAMES[operation.name], avatarUrl: operation.avatar ? `mxc://${emu.serverName}/${user.userId.length}${operation.name ?? ''}` : null })
      return true
    }
    case 'createRoom': {
      const user = pick(users, operation.user)
      if (user === undefined || !active(user.userId)) return false
      emu.createRoom(user.userId, { isPublic: operation.isPublic })
      return true
    }
    case 'federatedRoom': {
      const members = operation.members.map((i) => REMOTE_USERS[i])
      const creator = members[0] ?? '@creator:remote.test'
      emu.addFederatedRoom({ creator, joinRule: operation.isPublic ? 'public' : 'invite', members: [creator, ...members.slice(1)].map((userId) => ({ userId, displayName: `${userId.slice(1, 3)} remote` })) })
      return true
    }
    case 'join': {
      const user = pick(users, operation.user)
      const roomId = pick(rooms, operation.room)
      if (user === undefined || roomId === undefined || !active(user.userId)) return false
      const membership = emu.membership(roomId, user.userId)
      if (membership === 'join' || membership === 'ban') return false
      if (joinRule(roomId) !== 'public' && membership !== 'invite') return false
      emu.join(roomId, user.userId)
      return true
    }
    case 'leave': {
      const user = pick(users, operation.user)
      const roomId = pick(rooms, operation.room)
      if (user === undefined || roomId === undefined || !active(user.userId)) return false
      const membership = emu.membership(roomId, user.userId)
      if (membership !== 'join' && membership !== 'invite') return false
      emu.leave(roomId, user.userId)
      return true
    }
    case 'invite': {
      const sender = pick(users, operation.user)
      const target = pick(users, operation.target)
      const roomId = pick(rooms, operation.room)
      if (sender === undefined || target === undefined || roomId === undefined || !active(sender.userId) || target.deactivated) return false
      if (emu.membership(roomId, sender.userId) !== 'join' || emu.membership(roomId, target.userId) !== null && emu.membership(roomId, target.userId) !== 'leave') return false
      emu.invite(roomId, sender.userId, target.userId)
      return true
    }
    case 'deactivate': {
      const user = pick(users, operation.user)
      if (user === undefined || user.deactivated) return false
      emu.deactivate(user.userId)
      return true
    }
    case 'reactivate': {
      const user = pick(users, operation.user)
      if (user === undefined || !user.deactivated) return false
      emu.reactivate(user.userId)
      return true
    }
    case 'lock':
    case 'unlock': {
      const user = pick(users, operation.user)
      if (user === undefined) return false
      if (operation.op === 'lock') emu.lock(user.userId)
      else emu.unlock(user.userId)
      return true
    }
    case 'joinRule':
    case 'historyVisibility': {
      // Changed by a joined local member (an admin of the room), so only rooms this server is in.
      const roomId = pick(rooms.filter(localJoined), operation.room)
      if (roomId === undefined) return false
      const sender = emu.rooms.get(roomId)?.state.find((e) => e.type === 'm.room.member' && emu.isLocal(e.state_key) && e.content.membership === 'join')?.state_key
      if (operation.op === 'joinRule') emu.setJoinRule(roomId, operation.rule, sender)
      else emu.setHistoryVisibility(roomId, operation.value, sender)
      return true
    }
    case 'remoteMember': {
      const roomId = pick(rooms, operation.room)
      if (roomId === undefined) return false
      const userId = REMOTE_USERS[operation.remote]
      const membership = emu.membership(roomId, userId)
      if (operation.membership === 'join' && joinRule(roomId) !== 'public' && membership !== 'join' && membership !== 'invite') return false
      if (operation.membership === 'leave' && membership !== 'join') return false
      emu.remoteMember(roomId, userId, operation.membership, operation.membership === 'join' ? { displayName: operation.name === null ? null : `${NAMES[operation.name]} (r)` } : {})
      return true
    }
    case 'remoteProfile': {
      emu.remoteProfileChange(REMOTE_USERS[operation.remote], { displayName: operation.name === null ? null : `${NAMES[operation.name]} (g)`, avatarUrl: null })
      return true
    }
  }
}
