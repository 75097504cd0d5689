// Deterministic state-delta batches for the directory-level crash test:
// batch `n` is the same in the child and in the parent's reference.
import type { StateDelta } from '../../src/index.js'

export const LOCAL_USERS = ['@l0:test', '@l1:test', '@l2:test', '@l3:test']
const ROOMS = 5

/** Batch number `n` (from 1): a join rule, a remote join with a display name, a local join and a remote leave. */
export function directoryBatch(n: number): StateDelta[] {
  const room = (k: number): string => `!d${k % ROOMS}:test`
  return [
    { room_id: room(n), type: 'm.room.join_rules', state_key: '', content: { join_rule: n % 3 === 0 ? 'public' : 'invite' } },
    { room_id: room(n), type: 'm.room.member', state_key: `@r${n % 17}:remote.org`, content: { membership: 'join', displayname: `Remote ${n}` }, event_id: `$j${n}` },
    { room_id: room(n + 1), type: 'm.room.member', state_key: LOCAL_USERS[n % LOCAL_USERS.length], content: { membership: n % 7 === 0 ? 'leave' : 'join' }, event_id: `$l${n}` },
    { room_id: room(n + 2), type: 'm.room.member', state_key: `@r${(n + 7) % 17}:remote.org`, content: { membership: 'leave' }, event_id: `$x${n}` },
  ]
}
