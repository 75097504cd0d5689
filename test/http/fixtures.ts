// A small directory for the HTTP tests: @alice, @bob and @carol:test in one
// public room, and the static token of each.
import { UserDirectory } from '../../src/index.js'
import type { UserDirectoryOptions } from '../../src/index.js'
import type { DirectoryService } from '../../src/http/index.js'

export const TOKENS = { alice: '@alice:test', bob: '@bob:test', carol: '@carol:test' } as const

export function publicRoomDeltas(roomId: string, members: string[]) {
  return [
    { room_id: roomId, type: 'm.room.join_rules', state_key: '', content: { join_rule: 'public' } },
    ...members.map((userId) => ({ room_id: roomId, type: 'm.room.member', state_key: userId, content: { membership: 'join' } })),
  ]
}

export async function seededDirectory(options: Partial<UserDirectoryOptions> = {}): Promise<UserDirectory> {
  const dir = await UserDirectory.open({ serverName: 'test', ...options })
  for (const [name, userId] of Object.entries(TOKENS)) {
    await dir.registerLocalUser(userId, {})
    await dir.handleLocalProfileChange(userId, { displayName: name[0].toUpperCase() + name.slice(1), avatarUrl: null })
  }
  await dir.ingest(publicRoomDeltas('!public:test', Object.values(TOKENS)), { position: 1 })
  return dir
}

/** The directory's methods bound to it, with some replaced (to hold a call open or make it fail). */
export function wrapDirectory(dir: UserDirectory, overrides: Partial<DirectoryService>): DirectoryService {
  const bound: DirectoryService = {
    serverName: dir.serverName,
    search: dir.search.bind(dir),
    ingest: dir.ingest.bind(dir),
    registerLocalUser: dir.registerLocalUser.bind(dir),
    handleLocalProfileChange: dir.handleLocalProfileChange.bind(dir),
    getProfile: dir.getProfile.bind(dir),
    rebuild: dir.rebuild.bind(dir),
    stats: dir.stats.bind(dir),
    batch: dir.batch.bind(dir),
    importAccess: dir.importAccess,
  }
  return { ...bound, ...overrides }
}
