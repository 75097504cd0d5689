// Runs a random history (test/arbitraries/operations.ts) against a
// TestHomeserver, recording every call its directory receives into a
// ReferenceDirectory as well.
import { TestHomeserver, UserDirectory } from '../../src/index.js'
import type { StateDelta, UserDirectoryOptions } from '../../src/index.js'
import { LOCALS, MAX_ROOMS, NAMES, REMOTES } from '../arbitraries/operations.js'
import type { Operation } from '../arbitraries/operations.js'
import { ReferenceDirectory } from '../model/reference-directory.js'

export const APPSERVICES = [{ id: 'bridge', sender: '@l3:test', namespaces: { users: [{ regex: '@l4.*', exclusive: true }, { regex: '@l5.*', exclusive: false }] } }]

export interface World {
  hs: TestHomeserver
  model: ReferenceDirectory
  rooms: string[]
  registered: Set<string>
}

/** A homeserver whose directory calls are mirrored into a reference model. */
export async function createWorld(options: Partial<UserDirectoryOptions> = {}): Promise<World> {
  const hs = await TestHomeserver.create({ appservices: APPSERVICES, ...options })
  const model = new ReferenceDirectory('test', APPSERVICES)
  const dir = hs.directory as unknown as Record<string, (...args: never[]) => unknown>
  for (const method of ['registerLocalUser', 'setUserDeactivated', 'setUserLocked', 'handleLocalUserDeactivated', 'handleLocalProfileChange', 'ingest'] as const) {
    const original = dir[method].bind(hs.directory) as (...args: unknown[]) => unknown
    const mirror = (model[method] as (...args: unknown[]) => unknown).bind(model)
    dir[method] = ((...args: unknown[]) => {
      mirror(...args)
      return original(...args)
    }) as never
  }
  return { hs, model, rooms: [], registered: new Set() }
}

const localId = (index: number): string => `@${LOCALS[index]}:test`

/** Applies one operation; operations that make no sense in the current world are no-ops. */
export async function applyOperation(world: World, op: Operation): Promise<void> {
  const { hs } = world
  switch (op.op) {
    case 'register': {
      const userId = localId(op.user)
      if (world.registered.has(userId)) return
      world.registered.add(userId)
      // l3 is the appservice sender and l4 is in its exclusive namespace whatever kind is drawn; l5 is in a non-exclusive one, which excludes no one.
      await hs.registerUser(LOCALS[op.user], { userType: op.kind === 'support' ? 'support' : op.kind === 'bot' ? 'bot' : null, locked: op.locked })
      return
    }
    case 'createRoom': {
      if (world.rooms.length >= MAX_ROOMS || !world.registered.has(localId(op.creator))) return
      world.rooms.push(await hs.createRoom(localId(op.creator), { isPublic: op.isPublic }))
      return
    }
    case 'member': {
      const roomId = world.rooms[op.room]
      if (roomId === undefined) return
      if (op.local) {
        const userId = localId(op.user)
        if (!world.registered.has(userId)) return
        if (op.membership === 'join') await hs.join(roomId, userId)
        else if (op.membership === 'leave') await hs.leave(roomId, userId)
        else if (op.membership === 'invite') await hs.invite(roomId, localId(0), userId)
        else await hs.ban(roomId, localId(0), userId)
      } else {
        const userId = REMOTES[op.user % REMOTES.length]
        const extra = op.name === null ? {} : { displayname: NAMES[op.name] }
        await hs.injectMemberEvent(roomId, userId, op.membership, extra)
      }
      return
    }
    case 'joinRule': {
      const roomId = world.rooms[op.room]
      if (roomId !== undefined) await hs.sendState(roomId, 'm.room.join_rules', op.rule === null ? null : { join_rule: op.rule })
      return
    }
    case 'historyVisibility': {
      const roomId = world.rooms[op.room]
      if (roomId !== undefined) await hs.sendState(roomId, 'm.room.history_visibility', op.value === null ? null : { history_visibility: op.value })
      return
    }
    case 'setProfile': {
      const userId = localId(op.user)
      if (!world.registered.has(userId)) return
      await hs.setProfile(userId, { displayName: op.name === null ? null : NAMES[op.name], avatarUrl: op.avatar ? `mxc://test/${op.user}` : null })
      return
    }
    case 'deactivate':
    case 'reactivate': {
      const userId = localId(op.user)
      if (!world.registered.has(userId)) return
      if (op.op === 'deactivate') await hs.deactivate(userId)
      else await hs.reactivate(userId)
      return
    }
    case 'lock': {
      const userId = localId(op.user)
      if (world.registered.has(userId)) await hs.setLocked(userId, op.locked)
    }
  }
}

/**
 * A fresh directory fed only the final state: the users with their flags and
 * global profiles, then each room's current join rule, history visibility
 * and joined members.
 */
export async function rebuildFromFinalState(world: World, options: Partial<UserDirectoryOptions> = {}): Promise<UserDirectory> {
  const dir = await UserDirectory.open({ serverName: 'test', appservices: APPSERVICES, ...options })
  const { model } = world
  for (const [userId, user] of model.users) await dir.registerLocalUser(userId, user)
  for (const [userId, entry] of model.entries) {
    if (model.isLocal(userId)) await dir.handleLocalProfileChange(userId, { displayName: entry.display_name, avatarUrl: entry.avatar_url })
  }
  const deltas: StateDelta[] = []
  for (const [roomId, room] of model.rooms) {
    if (room.joinRule !== null) deltas.push({ room_id: roomId, type: 'm.room.join_rules', state_key: '', content: { join_rule: room.joinRule } })
    if (room.historyVisibility !== null) deltas.push({ room_id: roomId, type: 'm.room.history_visibility', state_key: '', content: { history_visibility: room.historyVisibility } })
    for (const [userId, member] of room.members) {
      if (member.membership !== 'join') continue
      const content: Record<string, unknown> = { membership: 'join' }
      if (member.displayName !== null) content.displayname = member.displayName
      if (member.avatarUrl !== null) content.avatar_url = member.avatarUrl
      deltas.push({ room_id: roomId, type: 'm.room.member', state_key: userId, content })
    }
  }
  await dir.ingest(deltas)
  return dir
}
