// The load following puts on the homeserver (issue 20): Admin API requests
// per 1,000 appservice events, and per poll, at the bench corpus's size.
//
// The bench corpus (corpus.ts: 70% local users, ~1% of them locked, N/4
// rooms) is seeded into the Synapse emulator (test/synapse-emulator) as the
// homeserver's history, and fed directly into the service's directory (as an
// import would leave it). The service (createServer, following on with its
// default debounce and concurrency) is registered as the emulator's
// appservice; then live churn on that corpus is applied through the emulator,
// which pushes the events Synapse would push. The churn mix, per operation:
//   35% a local user joins a public room         15% a local user leaves a room
//   20% a remote user joins or leaves a public room
//   10% a local user changes their global profile (a join→join per joined room)
//    7% a local user creates a room (create, join, power levels, rules)
//    5% a new local user registers and joins a public room
//    5% a local user's first join to a room on another server (10 to 200 members)
//    3% a local user is deactivated (a leave per joined room)
// Operations come in bursts of 20 (each burst acknowledged before the next).
// The polls run every second meanwhile; requests per poll are counted from
// the emulator's request log, by the poll's `order_by`.
//
//   node --import tsx bench/experiments/follow-load.ts [--size 10k|100k] [--events 5000] [--seed 1]
import type { AddressInfo } from 'node:net'
import { UserDirectory } from '../../src/index.js'
import { createServer, stopServer } from '../../src/http/index.js'
import { SynapseEmulator, directoryAppservice } from '../../test/synapse-emulator/index.js'
import type { EmulatedAppservice } from '../../test/synapse-emulator/index.js'
import { Random, SERVER_NAME, feedDirectory, generateCorpus } from '../../corpus/index.js'

const args = process.argv.slice(2)
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
}
const size = Number(arg('size', '100k').replace(/k$/i, '000').replace(/m$/i, '000000'))
const targetEvents = Number(arg('events', '5000'))
const seed = Number(arg('seed', '1'))

const t0 = performance.now()
const corpus = generateCorpus(size, seed)
const emu = await SynapseEmulator.start({ serverName: SERVER_NAME, partDelayMs: 0, pusher: { backoffUnitMs: 10 } })
const baseTs = 1_600_000_000
corpus.locals.forEach((index, i) => {
  const user = corpus.users[index]
  emu.registerUser(user.localpart, { displayName: user.displayName, avatarUrl: user.avatarUrl, creationTs: baseTs + i })
  if (user.locked) emu.lock(user.userId)
})
for (const room of corpus.rooms) {
  const creator = corpus.users[room.members[0]].userId
  emu.loadRoom({
    roomId: room.roomId,
    creator,
    state: [
      { type: 'm.room.create', state_key: '', content: { creator, room_version: '10' } },
      { type: 'm.room.join_rules', state_key: '', content: { join_rule: room.isPublic ? 'public' : 'invite' } },
      { type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'shared' } },
      ...room.members.map((m) => {
        const user = corpus.users[m]
        const content: Record<string, unknown> = { membership: 'join' }
        if (user.displayName !== null) content.displayname = user.displayName
        if (user.avatarUrl !== null) content.avatar_url = user.avatarUrl
        return { type: 'm.room.member', state_key: user.userId, content }
      }),
    ],
  })
}
const registration: EmulatedAppservice = {
  id: 'userdir', url: null, hs_token: 'hs', as_token: 'as', sender_localpart: 'userdir',
  namespaces: { users: [{ regex: `@userdir:${SERVER_NAME.replace(/\./g, '\\.')}`, exclusive: true }], rooms: [{ regex: '.*', exclusive: false }] },
}
const dir = await UserDirectory.open({ serverName: SERVER_NAME, appservices: [directoryAppservice(registration, SERVER_NAME)] })
await feedDirectory(dir, corpus)
// The emulator's own admin account, as the import would have registered it.
await dir.registerLocalUser(`@admin:${SERVER_NAME}`, {})
const server = createServer(dir, {
  hsToken: 'hs',
  rateLimit: false,
  synapseImport: { homeserverUrl: emu.url, accessToken: emu.adminToken },
  follow: { newUsersPollMs: 1_000, locksPollMs: 1_000, reconcileIntervalMs: false },
  maxTransactionBytes: 256 * 1024 * 1024,
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const pusher = emu.addAppservice({ ...registration, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })
const setupSeconds = (performance.now() - t0) / 1000

// ---- live churn -------------------------------------------------------------
const r = new Random(seed + 1)
const localIds = corpus.locals.map((i) => corpus.users[i].userId)
const publicRooms = corpus.rooms.filter((room) => room.isPublic).map((room) => room.roomId)
const remoteIds = corpus.users.filter((u) => !u.isLocal).map((u) => u.userId)
const active = (userId: string): boolean => {
  const user = emu.users.get(userId)
  return user !== undefined && !user.deactivated && !user.locked
}
const joinedRooms = (userId: string): string[] => [...emu.rooms.keys()].filter((roomId) => emu.membership(roomId, userId) === 'join')
let registered = 0
let federated = 0
const mix: Record<string, number> = {}

function churn(): void {
  const p = r.next()
  const local = localIds[r.int(0, localIds.length - 1)]
  const kind = p < 0.35 ? 'local join' : p < 0.5 ? 'local leave' : p < 0.7 ? 'remote member' : p < 0.8 ? 'profile change' : p < 0.87 ? 'room created' : p < 0.92 ? 'registration' : p < 0.97 ? 'federated first join' : 'deactivation'
  mix[kind] = (mix[kind] ?? 0) + 1
  switch (kind) {
    case 'local join': {
      const roomId = publicRooms[r.int(0, publicRooms.length - 1)]
      if (active(local) && emu.membership(roomId, local) !== 'join' && emu.membership(roomId, local) !== 'ban') emu.join(roomId, local)
      return
    }
    case 'local leave': {
      const room = corpus.rooms[r.int(0, corpus.rooms.length - 1)]
      const member = room.members.map((m) => corpus.users[m].userId).find((id) => emu.isLocal(id) && active(id) && emu.membership(room.roomId, id) === 'join')
      if (member !== undefined) emu.leave(room.roomId, member)
      return
    }
    case 'remote member': {
      const roomId = publicRooms[r.int(0, publicRooms.length - 1)]
      const remote = remoteIds[r.int(0, remoteIds.length - 1)]
      emu.remoteMember(roomId, remote, emu.membership(roomId, remote) === 'join' ? 'leave' : 'join', { displayName: `Remote ${r.int(0, 999)}` })
      return
    }
    case 'profile change':
      if (active(local)) emu.setProfile(local, { displayName: `Renamed ${r.int(0, 1_000_000)}` })
      return
    case 'room created':
      if (active(local)) emu.createRoom(local, { isPublic: r.chance(0.3) })
      return
    case 'registration': {
      const userId = emu.registerUser(`newcomer${registered++}`, { displayName: `Newcomer ${registered}`, creationTs: baseTs + corpus.locals.length + registered }).userId
      emu.join(publicRooms[r.int(0, publicRooms.length - 1)], userId)
      return
    }
    case 'federated first join': {
      const members = Array.from({ length: r.int(10, 200) }, (_, i) => ({ userId: `@m${i}:fed${federated}.example`, displayName: `Fed ${federated} member ${i}` }))
      const roomId = emu.addFederatedRoom({ creator: members[0].userId, members })
      federated++
      if (active(local)) emu.join(roomId, local)
      return
    }
    case 'deactivation':
      if (active(local) && joinedRooms(local).length < 50) emu.deactivate(local)
      return
  }
}

const count = (route: string): number => emu.requestCount(route as Parameters<typeof emu.requestCount>[0])
const before = { user: count('admin.user'), state: count('admin.room_state') }
const eventsBefore = pusher.deliveredEvents().length
const started = performance.now()
while (pusher.deliveredEvents().length - eventsBefore < targetEvents) {
  for (let i = 0; i < 20; i++) churn()
  await emu.delivered(60_000)
}
// Let the follower finish what the last events asked for (debounce, second room reads): until the counts stop moving for 6 s.
for (let last = -1; ;) {
  const now = count('admin.user') + count('admin.room_state')
  if (now === last) break
  last = now
  await new Promise((resolve) => setTimeout(resolve, 6_000))
}
const churnSeconds = (performance.now() - started) / 1000
const events = pusher.deliveredEvents().length - eventsBefore
const lookups = count('admin.user') - before.user
const stateReads = count('admin.room_state') - before.state

// ---- polls ------------------------------------------------------------------
const polls = emu.requests.filter((q) => q.route === 'admin.users')
const newUserPolls = polls.filter((q) => q.path.includes('order_by=creation_ts'))
const lockPolls = polls.filter((q) => q.path.includes('order_by=locked'))
// A poll's first request asks from=0.
const pollRuns = (list: typeof polls): number => list.filter((q) => /[?&]from=0(&|$)/.test(q.path)).length
const lockedCount = [...emu.users.values()].filter((u) => u.locked).length

await stopServer(server)
await emu.stop()
await dir.close()

const per1000 = (n: number): string => ((n / events) * 1000).toFixed(0)
console.log(`follow-load: ${size.toLocaleString('en')} users (${corpus.locals.length.toLocaleString('en')} local, ${lockedCount} locked), ${corpus.rooms.length.toLocaleString('en')} rooms; set-up ${setupSeconds.toFixed(0)} s`)
console.log(`churn: ${Object.entries(mix).map(([k, v]) => `${k} ${v}`).join(', ')}; ${events} appservice events in ${churnSeconds.toFixed(1)} s`)
console.log(`requests per 1,000 appservice events: ${per1000(lookups + stateReads)} (user look-ups ${per1000(lookups)}, room-state reads ${per1000(stateReads)})`)
console.log(`new-accounts poll: ${(newUserPolls.length / Math.max(1, pollRuns(newUserPolls))).toFixed(2)} requests per poll over ${pollRuns(newUserPolls)} polls (${registered} registrations meanwhile)`)
console.log(`locks poll: ${(lockPolls.length / Math.max(1, pollRuns(lockPolls))).toFixed(2)} requests per poll over ${pollRuns(lockPolls)} polls (${lockedCount} locked accounts)`)
