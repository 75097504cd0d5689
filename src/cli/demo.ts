import type { UserDirectory } from '../directory/index.js'
import { SeededRandom } from '../seeded-random.js'

/** The static token of the demo user, printed in the log at start. */
export const DEMO_TOKEN = 'userdir-demo-token'

/** The file that marks a data_path as holding the demo (written when the demo is seeded into it). */
export const DEMO_MARKER = 'userdir-demo.txt'

const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'yuki', 'zoé', 'ana', 'björn', 'chen', 'dmitri', 'eva', 'fatima', 'giulia', 'hiro', 'ingrid']
const LAST = ['smith', 'jones', 'garcia', 'müller', 'rossi', 'tanaka', 'kowalski', 'nguyen', 'silva', 'dubois', 'ivanova', 'okafor', 'haddad', 'larsen', 'novak']
const REMOTE_SERVERS = ['matrix.org', 'example.com', 'chat.example.net']

/** What the demo seeding made. */
export interface DemoSummary {
  userId: string
  token: string
  localUsers: number
  remoteUsers: number
  rooms: number
}

/**
 * Fills an empty directory with generated people and rooms (the same every
 * time: a seeded generator): `localUsers` local users with display names,
 * remote users met in public rooms, public and private rooms, and `@demo`,
 * who shares the private rooms, as the requester of the demo token.
 */
export async function seedDemo(dir: UserDirectory, options: { localUsers?: number; rooms?: number } = {}): Promise<DemoSummary> {
  const server = dir.serverName
  const localCount = options.localUsers ?? 300
  const roomCount = options.rooms ?? 12
  // Seeded, so the demo is the same on every start.
  const random = new SeededRandom(20_260_101)
  const pick = <T>(list: readonly T[]): T => random.pick(list)
  const demoUser = `@demo:${server}`
  await dir.registerLocalUser(demoUser, {})
  await dir.handleLocalProfileChange(demoUser, { displayName: 'Demo User', avatarUrl: null })
  const locals: string[] = []
  for (let i = 0; i < localCount; i++) {
    const first = FIRST[i % FIRST.length]
    const last = pick(LAST)
    const userId = `@${ascii(first)}.${ascii(last)}${i >= FIRST.length ? i : ''}:${server}`
    locals.push(userId)
    await dir.registerLocalUser(userId, {})
    const displayName = `${first[0].toUpperCase()}${first.slice(1)} ${last[0].toUpperCase()}${last.slice(1)}`
    await dir.handleLocalProfileChange(userId, { displayName, avatarUrl: random.next() < 0.4 ? `mxc://${server}/avatar${i}` : null })
  }
  let remoteUsers = 0
  for (let r = 0; r < roomCount; r++) {
    const roomId = `!demo${r}:${server}`
    const isPublic = r % 3 !== 2
    const deltas: { room_id: string; type: string; state_key: string; content: Record<string, unknown> }[] = [
      { room_id: roomId, type: 'm.room.join_rules', state_key: '', content: { join_rule: isPublic ? 'public' : 'invite' } },
      { room_id: roomId, type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'shared' } },
    ]
    const join = (userId: string, content: Record<string, unknown> = {}) =>
      deltas.push({ room_id: roomId, type: 'm.room.member', state_key: userId, content: { membership: 'join', ...content } })
    // Every local user is in one public room; private rooms get a few, and the demo user.
    if (isPublic) {
      for (let i = r; i < locals.length; i += roomCount) join(locals[i])
      for (let k = 0; k < 5; k++) {
        const first = pick(FIRST)
        join(`@${ascii(first)}${r}${k}:${pick(REMOTE_SERVERS)}`, { displayname: `${first[0].toUpperCase()}${first.slice(1)} (remote)` })
        remoteUsers++
      }
    } else {
      join(demoUser)
      for (let k = 0; k < 6; k++) join(pick(locals))
    }
    await dir.ingest(deltas)
  }
  return { userId: demoUser, token: DEMO_TOKEN, localUsers: localCount + 1, remoteUsers, rooms: roomCount }
}

// Localparts stay ASCII (zoé → zoe); display names keep their accents.
function ascii(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '')
}
