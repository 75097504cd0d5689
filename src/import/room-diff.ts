import { isOnServer } from '../ids/index.js'
import { cleanProfileText } from '../rooms/index.js'
import type { MemberProfile, RoomState, StateDelta } from '../rooms/index.js'
import type { StateEvent } from './admin-api-wire.js'
import { stateEntryKey } from './live-changes.js'

const MEMBER = 'm.room.member'
const JOIN_RULES = 'm.room.join_rules'
const HISTORY_VISIBILITY = 'm.room.history_visibility'

/**
 * The deltas that take a tracked room to the homeserver's snapshot of it,
 * leaving out entries changed live since the snapshot was requested
 * (`liveKeys`, see `LiveChanges`). `snapshot` null means the homeserver no
 * longer has the room: everything tracked is removed.
 *
 * Order: join rule and history visibility first, then local members, then
 * remote ones, so that a remote member joins a room whose publicity is
 * known and that the server is in: the order a room's state was built in,
 * and the one that gives a public room's remote members their entry.
 */
export function roomDiff(roomId: string, snapshot: readonly StateEvent[] | null, tracked: RoomState | null, liveKeys: ReadonlySet<string>, serverName: string): StateDelta[] {
  const rules: StateDelta[] = []
  const locals: StateDelta[] = []
  const remotes: StateDelta[] = []
  const delta = (type: string, stateKey: string, content: Record<string, unknown> | null): StateDelta => ({ room_id: roomId, type, state_key: stateKey, content })
  const isLive = (type: string, stateKey: string): boolean => liveKeys.has(stateEntryKey(type, stateKey))
  // Looked up by the snapshot's member ids, plain strings.
  const joined: ReadonlyMap<string, MemberProfile | null> = tracked?.joined ?? new Map()

  let joinRules: StateEvent | undefined
  let historyVisibility: StateEvent | undefined
  const members = new Map<string, StateEvent>()
  for (const event of snapshot ?? []) {
    if (event.type === MEMBER) members.set(event.stateKey, event)
    else if (event.stateKey !== '') continue
    else if (event.type === JOIN_RULES) joinRules = event
    else if (event.type === HISTORY_VISIBILITY) historyVisibility = event
  }

  const rule = (type: string, event: StateEvent | undefined, field: string, current: string | null): void => {
    if (isLive(type, '')) return
    const value = event?.content[field]
    // A value the engine would reject as malformed counts as different, and the engine skips it with a warning.
    if ((value === undefined && current === null) || value === current) return
    rules.push(delta(type, '', event?.content ?? null))
  }
  rule(JOIN_RULES, joinRules, 'join_rule', tracked?.joinRule ?? null)
  rule(HISTORY_VISIBILITY, historyVisibility, 'history_visibility', tracked?.historyVisibility ?? null)

  for (const [userId, event] of members) {
    if (isLive(MEMBER, userId)) continue
    const isJoined = event.content.membership === 'join'
    const current = joined.get(userId)
    const wasJoined = current !== undefined
    let changed = isJoined !== wasJoined
    if (!changed && isJoined && current !== null && current !== undefined) {
      changed = current.displayName !== cleanProfileText(event.content.displayname) || current.avatarUrl !== cleanProfileText(event.content.avatar_url)
    }
    if (changed) (isOnServer(userId, serverName) ? locals : remotes).push(delta(MEMBER, userId, event.content))
  }
  for (const userId of joined.keys()) {
    if (members.has(userId) || isLive(MEMBER, userId)) continue
    ;(isOnServer(userId, serverName) ? locals : remotes).push(delta(MEMBER, userId, null))
  }
  return [...rules, ...locals, ...remotes]
}
