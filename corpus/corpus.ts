// The seeded benchmark corpus: users (70% local, names from many locales,
// ~10% without display name, ~60% with avatar, ~1% of locals locked) and a
// quarter as many rooms as users: 60% DMs, the rest groups whose sizes follow
// Zipf laws (public up to 20,000 members, private up to 500). Every remote user
// shares a room with a local one, as on a real server.
import { Random } from './random.js'
import { localpartFor, personName } from './names.js'

/** One user of the corpus. */
export interface BenchUser {
  userId: string
  localpart: string
  server: string
  displayName: string | null
  avatarUrl: string | null
  isLocal: boolean
  locked: boolean
}

/** One room: joined members as user indexes, local members first. */
export interface BenchRoom {
  roomId: string
  isPublic: boolean
  members: number[]
}

/** A generated corpus; the same (size, seed) always gives the same corpus. */
export interface BenchCorpus {
  seed: number
  serverName: string
  users: BenchUser[]
  rooms: BenchRoom[]
  /** Indexes of local users. */
  locals: number[]
}

export const SERVER_NAME = 'bench.example.org'
const PUBLIC_MAX_MEMBERS = 20_000
const PRIVATE_MAX_MEMBERS = 500
// Zipf exponents of group sizes. Private rooms are steeper: Synapse's pair
// table grows with the square of their size (1M users: ~10M pairs).
const PUBLIC_SIZE_EXPONENT = 2.0
const PRIVATE_SIZE_EXPONENT = 2.5

/** An integer in [lo, hi] with P(k) proportional to k^-s (inverse CDF of the continuous law). */
export function zipf(r: Random, lo: number, hi: number, s: number): number {
  const a = Math.pow(lo, 1 - s)
  const b = Math.pow(hi + 1, 1 - s)
  return Math.min(hi, Math.floor(Math.pow(a + (b - a) * r.next(), 1 / (1 - s))))
}

function remoteServers(r: Random): string[] {
  const servers = ['matrix.org', 'mozilla.org', 'kde.org', 'gnome.org', 'fedora.im', 'tchncs.de', 'envs.net', 'nitro.chat']
  const syllables = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'to', 'vi', 'ze', 'chat', 'hub', 'net', 'lab', 'dev']
  const tlds = ['org', 'com', 'net', 'de', 'fr', 'io', 'im', 'chat', 'co.uk', 'jp']
  while (servers.length < 300) {
    const name = `${r.pick(syllables)}${r.pick(syllables)}${r.int(0, 99)}.${r.pick(tlds)}`
    servers.push(r.chance(0.1) ? `${name}:8448` : name)
  }
  return servers
}

/** Generates `userCount` users and `userCount / 4` rooms from `seed`. */
export function generateCorpus(userCount: number, seed = 1): BenchCorpus {
  const r = new Random(seed)
  const servers = remoteServers(r)
  const users: BenchUser[] = []
  const taken = new Set<string>()
  const locals: number[] = []
  const remotes: number[] = []
  while (users.length < userCount) {
    const isLocal = r.chance(0.7)
    const server = isLocal ? SERVER_NAME : servers[zipf(r, 1, servers.length, 1.2) - 1]
    const name = personName(r)
    let localpart = localpartFor(r, name)
    while (taken.has(`${localpart}:${server}`)) localpart = `${localpart}${r.int(0, 9)}`
    taken.add(`${localpart}:${server}`)
    const index = users.length
    ;(isLocal ? locals : remotes).push(index)
    users.push({
      userId: `@${localpart}:${server}`,
      localpart,
      server,
      displayName: r.chance(0.1) ? null : name.displayName,
      avatarUrl: r.chance(0.6) ? `mxc://${isLocal ? SERVER_NAME : server}/${r.int(0, 2 ** 31).toString(36)}${r.int(0, 2 ** 31).toString(36)}` : null,
      isLocal,
      locked: isLocal && r.chance(0.01),
    })
  }
  const rooms = generateRooms(r, userCount, users, locals, remotes)
  return { seed, serverName: SERVER_NAME, users, rooms, locals }
}

function generateRooms(r: Random, userCount: number, users: BenchUser[], locals: number[], remotes: number[]): BenchRoom[] {
  // Popular users are in more rooms: skew the pick towards low indexes.
  const anyUser = (): number => Math.floor(userCount * Math.pow(r.next(), 1.4))
  const anyLocal = (): number => locals[Math.floor(locals.length * Math.pow(r.next(), 1.4))]
  const stamp = new Int32Array(userCount).fill(-1)
  const rooms: BenchRoom[] = []
  const groups: number[] = []
  const roomCount = Math.max(4, Math.floor(userCount / 4))
  for (let i = 0; i < roomCount; i++) {
    const roomId = `!r${i.toString(36)}:${SERVER_NAME}`
    let isPublic: boolean
    let size: number
    if (i === 0) [isPublic, size] = [true, Math.min(PUBLIC_MAX_MEMBERS, Math.floor(userCount / 10))]
    else if (i === 1) [isPublic, size] = [false, Math.min(PRIVATE_MAX_MEMBERS, Math.floor(userCount / 20))]
    else if (r.chance(0.6)) [isPublic, size] = [false, 2]
    else if (r.chance(0.3)) [isPublic, size] = [true, zipf(r, 3, PUBLIC_MAX_MEMBERS, PUBLIC_SIZE_EXPONENT)]
    else [isPublic, size] = [false, zipf(r, 3, PRIVATE_MAX_MEMBERS, PRIVATE_SIZE_EXPONENT)]
    size = Math.min(size, userCount)
    const members: number[] = []
    const add = (u: number): void => {
      if (stamp[u] === i) return
      stamp[u] = i
      members.push(u)
    }
    add(anyLocal())
    if (size === 2) {
      while (members.length < 2) add(r.chance(0.6) ? anyLocal() : remotes.length > 0 ? r.pick(remotes) : anyUser())
    } else {
      while (members.length < size) add(anyUser())
      groups.push(i)
    }
    rooms.push({ roomId, isPublic, members })
  }
  // Remote users nobody local shares a room with would not be known: give
  // each one a room (rooms always hold a local user).
  const known = new Uint8Array(userCount)
  for (const room of rooms) for (const m of room.members) known[m] = 1
  for (const u of remotes) if (known[u] === 0) rooms[r.pick(groups.length > 0 ? groups : [0])].members.push(u)
  for (const room of rooms) room.members.sort((a, b) => Number(users[b].isLocal) - Number(users[a].isLocal) || a - b)
  return rooms
}
