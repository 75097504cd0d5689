// The cost of one more member joining a 20,000-member private room. Ours
// records one membership; Synapse writes a pair row for the joiner and every
// member plus one for every local member and the joiner
// (users_who_share_private_rooms, upserted in chunks of 500 like
// SHARE_PRIVATE_WORKING_SET). The PostgreSQL figure is that storage work only
// (no Python, no event processing), so the ratio flatters Synapse.
import type pg from 'pg'
import type { UserDirectory } from '../../src/index.js'
import type { BenchCorpus } from '../../corpus/index.js'
import { joinDelta } from '../../corpus/index.js'
import { summarize } from '../report/stats.js'
import { elapsedUs } from './measure.js'
import type { Summary } from '../report/stats.js'

export const BIG_ROOM_ID = '!big-private-room:bench.example.org'
const TARGET_MEMBERS = 20_000
const PAIR_CHUNK = 500

/** The big room's members (the first users of the corpus) and local users who will join it. */
export interface BigRoom {
  members: number[]
  joiners: number[]
}

export function planBigRoom(corpus: BenchCorpus, joinerCount: number): BigRoom {
  const size = Math.min(TARGET_MEMBERS, corpus.users.length - 4 * joinerCount)
  const members = Array.from({ length: size }, (_, i) => i)
  const joiners = corpus.locals.filter((i) => i >= size).slice(0, joinerCount)
  return { members, joiners }
}

/** Creates the room in `dir` (untimed), then times each joiner's join, one `ingest` each. */
export async function measureJoin(dir: UserDirectory, corpus: BenchCorpus, room: BigRoom, position: number): Promise<Summary> {
  const setup = [
    { room_id: BIG_ROOM_ID, type: 'm.room.join_rules', state_key: '', content: { join_rule: 'invite' } },
    { room_id: BIG_ROOM_ID, type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'shared' } },
    ...room.members.map((m) => joinDelta(corpus, BIG_ROOM_ID, m)),
  ]
  for (let from = 0; from < setup.length; from += 1000) await dir.ingest(setup.slice(from, from + 1000), { position: ++position })
  const latencyUs: number[] = []
  for (const joiner of room.joiners) {
    const delta = joinDelta(corpus, BIG_ROOM_ID, joiner)
    const start = process.hrtime.bigint()
    await dir.ingest([delta], { position: ++position })
    latencyUs.push(elapsedUs(start))
  }
  return summarize(latencyUs)
}

/** Times Synapse's pair upserts for each joiner on PostgreSQL (one transaction each), deleting them afterwards untimed. */
export async function measureJoinPostgres(client: pg.Client, corpus: BenchCorpus, room: BigRoom, repeats: number): Promise<Summary & { rowsPerJoin: number }> {
  const users = corpus.users
  const latencyUs: number[] = []
  let rowsPerJoin = 0
  for (const joiner of room.joiners.slice(0, repeats)) {
    const a: string[] = []
    const b: string[] = []
    const joinerId = users[joiner].userId
    for (const m of room.members) {
      a.push(joinerId)
      b.push(users[m].userId)
      if (users[m].isLocal) {
        a.push(users[m].userId)
        b.push(joinerId)
      }
    }
    rowsPerJoin = a.length
    const start = process.hrtime.bigint()
    await client.query('BEGIN')
    for (let from = 0; from < a.length; from += PAIR_CHUNK) {
      const n = Math.min(PAIR_CHUNK, a.length - from)
      await client.query(
        `INSERT INTO users_who_share_private_rooms (user_id, other_user_id, room_id)
         SELECT x, y, $3 FROM unnest($1::text[], $2::text[]) AS p(x, y) ON CONFLICT DO NOTHING`,
        [a.slice(from, from + n), b.slice(from, from + n), BIG_ROOM_ID])
    }
    await client.query('COMMIT')
    latencyUs.push(elapsedUs(start))
    await client.query('DELETE FROM users_who_share_private_rooms WHERE room_id = $1', [BIG_ROOM_ID])
  }
  return { ...summarize(latencyUs), rowsPerJoin }
}
