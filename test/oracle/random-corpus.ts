// A seeded directory corpus: local and remote users with names, avatars and
// locks, and public and private rooms with their joined members. Stored in
// snapshots/ as is, so goldens never depend on this generator again.
import type { Random } from '../../corpus/index.js'
import { displayName, localpart, LOCAL_SERVER, REMOTE_SERVERS } from './random-users.js'

export interface CorpusUser {
  user_id: string
  display_name: string | null
  avatar_url: string | null
  /** Local users only: whether the account is locked. */
  locked?: boolean
}

export interface CorpusRoom {
  room_id: string
  /** join_rule public or history_visibility world_readable. */
  public: boolean
  /** Joined members. */
  members: string[]
}

export interface Corpus {
  localServer: string
  users: CorpusUser[]
  rooms: CorpusRoom[]
}

export function generateCorpus(r: Random, userCount: number, roomCount: number): Corpus {
  const users: CorpusUser[] = []
  const seen = new Set<string>()
  while (users.length < userCount) {
    const isLocal = r.chance(0.5)
    const lp = localpart(r)
    const userId = `@${lp}:${isLocal ? LOCAL_SERVER : r.pick(REMOTE_SERVERS)}`
    if (seen.has(userId) || /[\u0000]/.test(userId)) continue
    seen.add(userId)
    const name = displayName(r, lp)
    const user: CorpusUser = {
      user_id: userId,
      display_name: name === null || name.includes('\u0000') ? null : name,
      avatar_url: r.chance(0.65) ? `mxc://${LOCAL_SERVER}/${r.int(1, 1e9).toString(36)}` : null,
    }
    if (isLocal) user.locked = r.chance(0.03)
    users.push(user)
  }
  const locals = users.filter((u) => u.user_id.endsWith(`:${LOCAL_SERVER}`)).map((u) => u.user_id)
  const remotes = users.filter((u) => !u.user_id.endsWith(`:${LOCAL_SERVER}`)).map((u) => u.user_id)
  const rooms: CorpusRoom[] = []
  for (let i = 0; i < roomCount; i++) {
    // Big rooms are public: a private room's pairs grow with the square of its size.
    const isBig = r.chance(0.05)
    const size = isBig ? r.int(100, 600) : r.int(2, 12)
    const members = new Set<string>()
    const withLocal = !r.chance(0.05)
    if (withLocal) members.add(r.pick(locals))
    while (members.size < size) members.add(r.chance(0.5) ? r.pick(locals) : r.pick(remotes))
    if (!withLocal) for (const m of [...members]) if (m.endsWith(`:${LOCAL_SERVER}`)) members.delete(m)
    rooms.push({ room_id: `!room${i}:${LOCAL_SERVER}`, public: isBig || r.chance(0.4), members: [...members] })
  }
  // Every remote user shares at least one room with a local user, or they
  // would not be in the directory at all.
  const reachable = new Set<string>()
  for (const room of rooms) {
    if (room.members.some((m) => m.endsWith(`:${LOCAL_SERVER}`))) for (const m of room.members) reachable.add(m)
  }
  const withLocals = rooms.filter((room) => room.members.some((m) => m.endsWith(`:${LOCAL_SERVER}`)))
  for (const remote of remotes) if (!reachable.has(remote)) r.pick(withLocals).members.push(remote)
  return { localServer: LOCAL_SERVER, users, rooms }
}

/** SPEC §2: the visibility relations a rebuild computes from the rooms. */
export function visibilityOf(corpus: Corpus): { publicMembers: Set<string>; privatePairs: Set<string> } {
  const isLocal = (u: string): boolean => u.endsWith(`:${corpus.localServer}`)
  const publicMembers = new Set<string>()
  const privatePairs = new Set<string>()
  for (const room of corpus.rooms) {
    if (!room.members.some(isLocal)) continue
    if (room.public) {
      for (const m of room.members) publicMembers.add(m)
      continue
    }
    for (const l of room.members) {
      if (!isLocal(l)) continue
      for (const m of room.members) if (m !== l) privatePairs.add(`${l}\n${m}`)
    }
  }
  return { publicMembers, privatePairs }
}
