// Random histories of transactions, retries and user changes for the
// commit-failure properties, and the checks they share: a directory against
// the reference model fed exactly the acknowledged work.
import fc from 'fast-check'
import * as assert from 'uvu/assert'
import type { StateDelta, UserDirectory } from '../../src/index.js'
import { ReferenceDirectory } from '../model/reference-directory.js'

export const LOCAL_USERS = ['@l0:test', '@l1:test', '@l2:test', '@l3:test']
export const REMOTE_USERS = ['@r0:remote.org', '@r1:remote.org', '@r2:other.net']
const ROOMS = ['!a:test', '!b:test', '!c:test']
const NAMES = ['Alice', 'Bob', 'Émile', 'remote friend']

export interface DeltaSpec {
  room: number
  what: 'member' | 'join_rules' | 'history_visibility'
  local: boolean
  user: number
  membership: 'join' | 'leave' | 'ban'
  value: number
  name: number | null
}

export type Step =
  /** A new transaction; `fail`: its commit is refused. */
  | { kind: 'txn'; deltas: DeltaSpec[]; fail: boolean }
  /** The homeserver sends an earlier transaction again (`which` picks it). */
  | { kind: 'retry'; which: number; fail: boolean }
  /** A local user change. */
  | { kind: 'user'; user: number; action: 'register' | 'deactivate' | 'reactivate' | 'profile' | 'lock'; name: number | null; fail: boolean }
  /** Several transactions in one `batch()`; `throwInside`: its task throws after them. */
  | { kind: 'batch'; txns: DeltaSpec[][]; fail: boolean; throwInside: boolean }

const delta: fc.Arbitrary<DeltaSpec> = fc.record({
  room: fc.nat({ max: ROOMS.length - 1 }),
  what: fc.constantFrom<DeltaSpec['what']>('member', 'member', 'member', 'member', 'join_rules', 'history_visibility'),
  local: fc.boolean(),
  user: fc.nat({ max: 3 }),
  membership: fc.constantFrom<DeltaSpec['membership']>('join', 'join', 'join', 'leave', 'ban'),
  value: fc.nat({ max: 2 }),
  name: fc.option(fc.nat({ max: NAMES.length - 1 }), { nil: null }),
})
const deltas = fc.array(delta, { minLength: 1, maxLength: 4 })
const sometimes = fc.constantFrom(false, false, true)

export const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('txn' as const), deltas, fail: sometimes }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('retry' as const), which: fc.nat(), fail: sometimes }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('user' as const), user: fc.nat({ max: LOCAL_USERS.length - 1 }),
      action: fc.constantFrom<'register' | 'deactivate' | 'reactivate' | 'profile' | 'lock'>('register', 'register', 'profile', 'deactivate', 'reactivate', 'lock'),
      name: fc.option(fc.nat({ max: NAMES.length - 1 }), { nil: null }), fail: sometimes,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('batch' as const), txns: fc.array(deltas, { minLength: 1, maxLength: 3 }), fail: sometimes, throwInside: sometimes }) },
)

/** A history: every local user registered first (most of the time), then random steps. */
export const faultHistory = (maxSteps = 25): fc.Arbitrary<{ steps: Step[]; failEvery: number }> =>
  fc.record({
    steps: fc.array(step, { minLength: 3, maxLength: maxSteps }).map((steps): Step[] => [
      ...LOCAL_USERS.map((_, user): Step => ({ kind: 'user', user, action: 'register', name: null, fail: false })),
      ...steps,
    ]),
    // 0: only the steps' own injected failures; N: also every Nth commit.
    failEvery: fc.constantFrom(0, 0, 2, 3, 5),
  })

/** The state deltas of a transaction. */
export function toDeltas(specs: readonly DeltaSpec[]): StateDelta[] {
  return specs.map((d): StateDelta => {
    const room_id = ROOMS[d.room]
    if (d.what === 'join_rules') return { room_id, type: 'm.room.join_rules', state_key: '', content: { join_rule: ['public', 'invite', 'knock'][d.value] } }
    if (d.what === 'history_visibility') return { room_id, type: 'm.room.history_visibility', state_key: '', content: { history_visibility: ['shared', 'world_readable', 'joined'][d.value] } }
    const userId = d.local ? LOCAL_USERS[d.user] : REMOTE_USERS[d.user % REMOTE_USERS.length]
    const content: Record<string, unknown> = { membership: d.membership }
    if (d.name !== null) content.displayname = NAMES[d.name]
    return { room_id, type: 'm.room.member', state_key: userId, content }
  })
}

export function newModel(): ReferenceDirectory {
  return new ReferenceDirectory('test')
}

/** The model's answer to a local user change (`null`: the engine must not be called, the user is not registered). */
export function userChange(model: ReferenceDirectory, s: Extract<Step, { kind: 'user' }>): { apply(): void } | null {
  const userId = LOCAL_USERS[s.user]
  const registered = model.users.has(userId)
  switch (s.action) {
    case 'register':
      return { apply: () => model.registerLocalUser(userId, {}) }
    case 'profile':
      return registered ? { apply: () => model.handleLocalProfileChange(userId, { displayName: s.name === null ? null : NAMES[s.name], avatarUrl: null }) } : null
    case 'deactivate':
    case 'reactivate':
      return registered ? { apply: () => model.setUserDeactivated(userId, s.action === 'deactivate') } : null
    case 'lock':
      return registered ? { apply: () => model.setUserLocked(userId, !(model.users.get(userId)?.locked ?? false)) } : null
  }
}

/** Makes the same change on the directory. */
export async function applyUserChange(dir: UserDirectory, model: ReferenceDirectory, s: Extract<Step, { kind: 'user' }>): Promise<void> {
  const userId = LOCAL_USERS[s.user]
  switch (s.action) {
    case 'register':
      return dir.registerLocalUser(userId, {})
    case 'profile':
      return dir.handleLocalProfileChange(userId, { displayName: s.name === null ? null : NAMES[s.name], avatarUrl: null })
    case 'deactivate':
    case 'reactivate':
      return dir.setUserDeactivated(userId, s.action === 'deactivate')
    case 'lock':
      return dir.setUserLocked(userId, !(model.users.get(userId)?.locked ?? false))
  }
}

/** The directory's tables equal the model's. */
export function assertMatchesModel(dir: UserDirectory, model: ReferenceDirectory, where: string): void {
  const tables = dir.tables()
  const relations = model.relations()
  assert.equal(tables.inPublicRooms, relations.inPublicRooms, `inPublicRooms ${where}`)
  assert.equal(tables.sharePrivateRooms, relations.sharePrivateRooms, `sharePrivateRooms ${where}`)
  assert.equal([...tables.users], [...model.entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)), `users ${where}`)
  assert.equal(tables.staleRemoteUsers.map((s) => s.userId), [...model.stale].sort(), `stale marks ${where}`)
  for (const [userId, user] of model.users) assert.equal(dir.importAccess.localUser(userId), user, `local user ${userId} ${where}`)
}

/** What every registered user finds for a few terms (to compare before and after a rebuild). */
export async function everySearch(dir: UserDirectory): Promise<unknown[]> {
  const out: unknown[] = []
  for (const requester of LOCAL_USERS) {
    if (dir.importAccess.localUser(requester) === null) continue
    for (const term of ['l', 'r', 'alice', 'b', 'test']) out.push(await dir.search(requester, term, 20))
  }
  return out
}

/** Asserts that `promise` rejects with the directory's store failure (M_UNKNOWN); returns false if it resolved. */
export async function settle<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return { ok: false, error }
  }
}
