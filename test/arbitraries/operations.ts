import fc from 'fast-check'

/** Local users by index; their kind is chosen when they register. */
export const LOCALS = ['l0', 'l1', 'l2', 'l3', 'l4', 'l5']
/** Remote users (two servers, one with a port). */
export const REMOTES = ['@r0:remote.org', '@r1:remote.org', '@r2:other.net:8448', '@r3:other.net:8448']
export const MAX_ROOMS = 4
export const NAMES = ['Alice', 'Bob', 'Émile', 'Иван', 'alice smith', 'user-71', '']

export type UserKind = 'normal' | 'support' | 'appservice' | 'sender' | 'bot'

/** One step of a random history, as plain data (printed by fast-check on failure). */
export type Operation =
  | { op: 'register'; user: number; kind: UserKind; locked: boolean }
  | { op: 'createRoom'; creator: number; isPublic: boolean }
  | { op: 'member'; room: number; local: boolean; user: number; membership: 'join' | 'leave' | 'invite' | 'ban'; name: number | null }
  | { op: 'joinRule'; room: number; rule: 'public' | 'invite' | 'knock' | null }
  | { op: 'historyVisibility'; room: number; value: 'world_readable' | 'shared' | null }
  | { op: 'setProfile'; user: number; name: number | null; avatar: boolean }
  | { op: 'deactivate'; user: number }
  | { op: 'reactivate'; user: number }
  | { op: 'lock'; user: number; locked: boolean }

const user = fc.nat({ max: LOCALS.length - 1 })
const rarely = fc.constantFrom(false, false, false, false, true)
const kind = fc.constantFrom<UserKind>('normal', 'normal', 'normal', 'support', 'appservice', 'sender', 'bot')
const room = fc.nat({ max: MAX_ROOMS - 1 })

export const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('register' as const), user, kind, locked: rarely }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('createRoom' as const), creator: user, isPublic: fc.boolean() }) },
  {
    weight: 8,
    arbitrary: fc.record({
      op: fc.constant('member' as const), room, local: fc.boolean(), user: fc.nat({ max: LOCALS.length - 1 }),
      membership: fc.constantFrom<'join' | 'leave' | 'invite' | 'ban'>('join', 'join', 'join', 'leave', 'leave', 'invite', 'ban'),
      name: fc.option(fc.nat({ max: NAMES.length - 1 }), { nil: null }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('joinRule' as const), room, rule: fc.constantFrom<'public' | 'invite' | 'knock' | null>('public', 'invite', 'knock', null) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('historyVisibility' as const), room, value: fc.constantFrom<'world_readable' | 'shared' | null>('world_readable', 'shared', null) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('setProfile' as const), user, name: fc.option(fc.nat({ max: NAMES.length - 1 }), { nil: null }), avatar: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deactivate' as const), user }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reactivate' as const), user }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('lock' as const), user, locked: fc.boolean() }) },
)

/**
 * A random history: a prologue that registers most local users (of random
 * kinds) and creates two to four rooms, then up to `maxLength` random
 * operations (joins dominate, so rooms fill up).
 */
export const history = (maxLength = 30): fc.Arbitrary<Operation[]> =>
  fc
    .record({
      users: fc.array(fc.record({ registered: fc.constantFrom(true, true, true, true, false), kind, locked: rarely }), { minLength: LOCALS.length, maxLength: LOCALS.length }),
      rooms: fc.array(fc.record({ creator: user, isPublic: fc.boolean() }), { minLength: 2, maxLength: MAX_ROOMS }),
      operations: fc.array(operation, { minLength: 5, maxLength }),
    })
    .map(({ users, rooms, operations }) => [
      ...users.flatMap((u, index): Operation[] => (u.registered ? [{ op: 'register', user: index, kind: u.kind, locked: u.locked }] : [])),
      ...rooms.map((r): Operation => ({ op: 'createRoom', creator: r.creator, isPublic: r.isPublic })),
      ...operations,
    ])

/** How many runs each property makes: 200 by default, `USERDIR_PROPERTY_RUNS` raises it for long runs. */
export function propertyRuns(defaultRuns = 200): number {
  const fromEnv = Number(process.env.USERDIR_PROPERTY_RUNS)
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns
}
