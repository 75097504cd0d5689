// The directory Synapse would have: the emulated homeserver's complete
// current facts fed into a fresh UserDirectory, to compare a running
// service's answers or `tables()` with.
import { UserDirectory } from '../../src/index.js'
import type { AppserviceRegistration, StateDelta, UserDirectoryOptions } from '../../src/index.js'
import type { EmulatedAppservice } from './appservice-pusher.js'
import type { EmulatedEvent } from './emulator.js'
import type { SynapseEmulator } from './emulator.js'

/**
 * Feeds every local user with their flags and global profile, then every
 * room this server knows, each room's state in the import's order (rules,
 * then local members, then remote ones), rooms in the import's order (the
 * rooms list's `order_by=creator`: creator, then room id; remote profiles
 * depend on the order rooms are seen in, in Synapse as here). Purged rooms
 * and rooms known only to other servers are not fed.
 */
export async function feedReference(dir: UserDirectory, emu: SynapseEmulator, options: ReferenceOptions = {}): Promise<void> {
  const users = [...emu.users.values()].filter((u) => options.guests !== false || !u.isGuest).sort((a, b) => (a.userId < b.userId ? -1 : 1))
  for (const user of users) {
    await dir.registerLocalUser(user.userId, { userType: user.userType, deactivated: user.deactivated, locked: user.locked })
    await dir.handleLocalProfileChange(user.userId, { displayName: user.displayName, avatarUrl: user.avatarUrl })
  }
  const rank = (event: EmulatedEvent): number => (event.type !== 'm.room.member' ? 0 : emu.isLocal(event.state_key) ? 1 : 2)
  const deltas: StateDelta[] = []
  const rooms = [...emu.rooms.values()].filter((r) => r.known).sort((a, b) => (a.creator < b.creator ? -1 : a.creator > b.creator ? 1 : a.roomId < b.roomId ? -1 : 1))
  for (const room of rooms) {
    const events = room.state.map((event, index) => ({ event, index })).sort((a, b) => rank(a.event) - rank(b.event) || a.index - b.index)
    for (const { event } of events) deltas.push({ room_id: room.roomId, type: event.type, state_key: event.state_key, content: event.content })
  }
  await dir.ingest(deltas)
}

export interface ReferenceOptions {
  /**
   * Feed guests. Default true: Synapse's directory takes every row of `users`
   * (synapse/storage/databases/main/user_directory.py, `SELECT name AS user_id FROM users`;
   * `should_include_local_user_in_dir` does not exclude guests). The import
   * lists with `guests=false`, so its tests pass false.
   */
  guests?: boolean
}

/** A fresh in-memory directory for `emu.serverName` with `options`, fed by `feedReference`. Close it when done. */
export async function referenceDirectory(emu: SynapseEmulator, options: Omit<UserDirectoryOptions, 'serverName' | 'path'> = {}): Promise<UserDirectory> {
  const dir = await UserDirectory.open({ ...options, serverName: emu.serverName })
  await feedReference(dir, emu)
  return dir
}

/** The tables of the reference directory (`referenceDirectory`, then closed): compare with a running service's `tables()`. */
export async function referenceTables(emu: SynapseEmulator, options: Omit<UserDirectoryOptions, 'serverName' | 'path'> = {}): Promise<ReturnType<UserDirectory['tables']>> {
  const dir = await referenceDirectory(emu, options)
  try {
    return dir.tables()
  } finally {
    await dir.close()
  }
}

/** An emulated appservice's registration as the directory's `appservices` option takes it. */
export function directoryAppservice(registration: EmulatedAppservice, serverName: string): AppserviceRegistration {
  return { id: registration.id, sender: `@${registration.sender_localpart}:${serverName}`, namespaces: { users: registration.namespaces.users ?? [] } }
}
