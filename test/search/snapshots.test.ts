// The engine against Synapse on a real PostgreSQL 15: the goldens in
// snapshots/ (captured by test/oracle/capture-all.ts) hold a 20,000-user
// corpus and 2,400 queries with PostgreSQL's ranked results and scores.
// The corpus is fed to UserDirectory the way a homeserver would: local
// users registered with their profiles, rooms as state deltas (local
// members first, so the server is in the room when remote users join),
// remote profiles from public-room member events or, for users seen only
// in private rooms, fetched by the refresher.
import { readFileSync } from 'node:fs'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import type { StateDelta, UserDirectoryOptions } from '../../src/index.js'
import { parseQueryWords } from '../../src/text/index.js'

interface CorpusUser { user_id: string; display_name: string | null; avatar_url: string | null; locked: boolean }
interface Corpus { localServer: string; users: CorpusUser[]; rooms: { room_id: string; public: boolean; members: string[] }[] }
type Mode = Required<Pick<UserDirectoryOptions, 'searchAllUsers' | 'preferLocalUsers' | 'excludeRemoteUsers' | 'showLockedUsers'>>
interface Query {
  term: string; words: string[]; mode: Mode; requester: string; limit: number
  results: { user_id: string; score: number }[]; limited: boolean; matchCount: number; capHit: boolean
}

const test = suite('search/snapshots')
const corpus = JSON.parse(readFileSync('snapshots/search-corpus.json', 'utf8')) as Corpus
const { queries } = JSON.parse(readFileSync('snapshots/search-queries.json', 'utf8')) as { queries: Query[] }
const isLocal = (userId: string) => userId.endsWith(`:${corpus.localServer}`)
const profiles = new Map(corpus.users.map((u) => [u.user_id, u]))

async function load(mode: Mode): Promise<UserDirectory> {
  const clock = new FakeClock()
  const dir = await UserDirectory.open({
    serverName: corpus.localServer, clock, ...mode,
    profileFetcher: async (userId) => ({ displayname: profiles.get(userId)?.display_name, avatar_url: profiles.get(userId)?.avatar_url }),
  })
  for (const user of corpus.users) {
    if (!isLocal(user.user_id)) continue
    await dir.registerLocalUser(user.user_id, { locked: user.locked })
    await dir.handleLocalProfileChange(user.user_id, { displayName: user.display_name, avatarUrl: user.avatar_url })
  }
  const deltas: StateDelta[] = []
  for (const room of corpus.rooms) {
    deltas.push({ room_id: room.room_id, type: 'm.room.join_rules', state_key: '', content: { join_rule: room.public ? 'public' : 'invite' } })
    const members = [...room.members.filter(isLocal), ...room.members.filter((m) => !isLocal(m))]
    for (const member of members) {
      const profile = profiles.get(member)
      const content: Record<string, unknown> = { membership: 'join' }
      if (profile?.display_name != null) content.displayname = profile.display_name
      if (profile?.avatar_url != null) content.avatar_url = profile.avatar_url
      deltas.push({ room_id: room.room_id, type: 'm.room.member', state_key: member, content })
    }
  }
  await dir.ingest(deltas, { position: 1 })
  await clock.advance(10 * 60_000)
  return dir
}

const modeKey = (mode: Mode) => JSON.stringify([mode.searchAllUsers, mode.preferLocalUsers, mode.excludeRemoteUsers, mode.showLockedUsers])

test('the corpus loads into the directory PostgreSQL searched: every user has their entry', async () => {
  const dir = await load({ searchAllUsers: true, preferLocalUsers: false, excludeRemoteUsers: false, showLockedUsers: true })
  const { users, staleRemoteUsers } = dir.tables()
  assert.equal(staleRemoteUsers, [])
  assert.equal(users.size, corpus.users.length)
  for (const user of corpus.users) assert.equal(users.get(user.user_id), { display_name: user.display_name, avatar_url: user.avatar_url }, user.user_id)
})

test('every uncapped query returns what Synapse on PostgreSQL returns: same users, order, scores (1e-6) and limited', async () => {
  const byMode = new Map<string, Query[]>()
  for (const query of queries) {
    const key = modeKey(query.mode)
    byMode.set(key, [...(byMode.get(key) ?? []), query])
  }
  let compared = 0
  let capped = 0
  const failures: string[] = []
  for (const group of byMode.values()) {
    const dir = await load(group[0].mode)
    for (const query of group) {
      assert.equal(parseQueryWords(query.term), query.words, `words of ${JSON.stringify(query.term)}`)
      const ours = await dir.search(query.requester, query.term, query.limit, { explain: true })
      if (query.capHit) {
        // PostgreSQL ranked an arbitrary 10,000 of the matches; we rank them all.
        capped++
        assert.ok(ours.results.length <= query.limit)
        continue
      }
      compared++
      const sameIds = JSON.stringify(ours.results.map((r) => r.user_id)) === JSON.stringify(query.results.map((r) => r.user_id))
      const sameScores = sameIds && ours.results.every((r, i) => Math.abs((r.score ?? 0) - query.results[i].score) <= 1e-6 * Math.abs(query.results[i].score))
      if (!sameIds || !sameScores || ours.limited !== query.limited) {
        failures.push(`${JSON.stringify(query.term)} ${modeKey(query.mode)} as ${query.requester}:\n  pg:   ${JSON.stringify(query.results)} ${query.limited}\n  ours: ${JSON.stringify(ours.results.map((r) => ({ user_id: r.user_id, score: r.score })))} ${ours.limited}`)
      }
    }
  }
  console.log(`  snapshots: ${compared} uncapped queries compared, ${failures.length} disagreements; ${capped} over PostgreSQL's 10,000-row cap reported apart`)
  assert.ok(compared >= 2000, `compared ${compared}`)
  assert.equal(failures.slice(0, 5), [], `${failures.length} disagreements`)
})

test.run()
