// Turns the corpus into what a homeserver feeds the directory: local users
// with their profiles, then the room state stream (join rule, history
// visibility, then member joins carrying the member's profile), in batches.
import type { StateDelta, UserDirectory } from '../src/index.js'
import type { BenchCorpus, BenchRoom } from './corpus.js'

/** Registers every local user with its lock flag and global profile (two calls each, as a homeserver makes them). */
export async function registerLocals(dir: UserDirectory, corpus: BenchCorpus): Promise<number> {
  let calls = 0
  for (const index of corpus.locals) {
    const user = corpus.users[index]
    await dir.registerLocalUser(user.userId, user.locked ? { locked: true } : {})
    await dir.handleLocalProfileChange(user.userId, { displayName: user.displayName, avatarUrl: user.avatarUrl })
    calls += 2
  }
  return calls
}

/** The member delta of `userIndex` joining `roomId`. */
export function joinDelta(corpus: BenchCorpus, roomId: string, userIndex: number): StateDelta {
  const user = corpus.users[userIndex]
  return {
    room_id: roomId,
    type: 'm.room.member',
    state_key: user.userId,
    content: { membership: 'join', displayname: user.displayName, avatar_url: user.avatarUrl },
  }
}

function* roomDeltas(corpus: BenchCorpus, room: BenchRoom): Generator<StateDelta> {
  yield { room_id: room.roomId, type: 'm.room.join_rules', state_key: '', content: { join_rule: room.isPublic ? 'public' : 'invite' } }
  yield { room_id: room.roomId, type: 'm.room.history_visibility', state_key: '', content: { history_visibility: 'shared' } }
  for (const m of room.members) yield joinDelta(corpus, room.roomId, m)
}

/** The whole room state stream in batches of `batchSize` deltas. */
export function* deltaBatches(corpus: BenchCorpus, batchSize = 1000): Generator<StateDelta[]> {
  let batch: StateDelta[] = []
  for (const room of corpus.rooms) {
    for (const delta of roomDeltas(corpus, room)) {
      batch.push(delta)
      if (batch.length === batchSize) {
        yield batch
        batch = []
      }
    }
  }
  if (batch.length > 0) yield batch
}

/** How many deltas `deltaBatches` yields. */
export function deltaCount(corpus: BenchCorpus): number {
  let n = 0
  for (const room of corpus.rooms) n += 2 + room.members.length
  return n
}

/** Registers the locals and ingests the whole stream; returns the timings. */
export async function feedDirectory(dir: UserDirectory, corpus: BenchCorpus): Promise<{ registerMs: number; registerCalls: number; ingestMs: number; deltas: number; batches: number }> {
  const t0 = performance.now()
  const registerCalls = await registerLocals(dir, corpus)
  const t1 = performance.now()
  const { deltas, batches, ingestMs } = await ingestStream(dir, corpus)
  return { registerMs: t1 - t0, registerCalls, ingestMs, deltas, batches }
}

/** Ingests the room state stream in batches of 1,000; only the `ingest` calls are timed, not making the batches. */
export async function ingestStream(dir: UserDirectory, corpus: BenchCorpus): Promise<{ deltas: number; batches: number; ingestMs: number }> {
  let deltas = 0
  let batches = 0
  let ingestMs = 0
  for (const batch of deltaBatches(corpus)) {
    batches++
    deltas += batch.length
    const start = performance.now()
    await dir.ingest(batch, { position: batches })
    ingestMs += performance.now() - start
  }
  return { deltas, batches, ingestMs }
}
