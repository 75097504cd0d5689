// Ingest rates. In memory: the homeserver's calls for every local user
// (register + profile), then the room state stream in batches of 1,000
// deltas. With LMDB: the local users are written to the store in a few large
// batches (one durable commit per call would take minutes at 1M and is not
// the stream), the directory is opened on it, then the same stream is
// ingested in batches of 1,000, each one durable commit.
import type { UserId } from '../../src/ids/index.js'
import { UserDirectory } from '../../src/index.js'
import { LmdbStore } from '../../src/store/index.js'
import type { StoreBatch } from '../../src/store/index.js'
import type { BenchCorpus } from '../../corpus/index.js'
import { feedDirectory, ingestStream } from '../../corpus/index.js'
import { collectGarbage, memoryMiB } from './measure.js'

export interface IngestResult {
  registerCalls: number
  registerMs: number
  deltas: number
  ingestMs: number
  /** Heap and RSS growth over building the directory, MiB (after a full GC). */
  heapGrowthMiB: number
  rssGrowthMiB: number
  entries: number
}

export async function ingestInMemory(corpus: BenchCorpus): Promise<{ dir: UserDirectory; result: IngestResult }> {
  collectGarbage()
  const before = memoryMiB()
  const dir = await UserDirectory.open({ serverName: corpus.serverName })
  const fed = await feedDirectory(dir, corpus)
  collectGarbage()
  const after = memoryMiB()
  return {
    dir,
    result: {
      registerCalls: fed.registerCalls, registerMs: fed.registerMs, deltas: fed.deltas, ingestMs: fed.ingestMs,
      heapGrowthMiB: after.heapUsed - before.heapUsed, rssGrowthMiB: after.rss - before.rss, entries: dir.stats().entries,
    },
  }
}

/** Writes the local users and their profiles straight to a new store at `path`. */
export async function seedLocals(path: string, corpus: BenchCorpus): Promise<void> {
  const store = await LmdbStore.open(path)
  try {
    for (let from = 0; from < corpus.locals.length; from += 20_000) {
      const batch: StoreBatch = { rooms: [], members: [], localUsers: [], entries: [], stale: [] }
      for (const i of corpus.locals.slice(from, from + 20_000)) {
        const user = corpus.users[i]
        batch.localUsers.push([user.userId as UserId, { userType: null, deactivated: false, locked: user.locked }])
        batch.entries.push([user.userId as UserId, { displayName: user.displayName, avatarUrl: user.avatarUrl }])
      }
      store.commit(batch)
    }
  } finally {
    await store.close()
  }
}

export async function ingestLmdb(corpus: BenchCorpus, path: string): Promise<{ dir: UserDirectory; result: Omit<IngestResult, 'heapGrowthMiB' | 'rssGrowthMiB'> & { openMs: number } }> {
  const t0 = performance.now()
  await seedLocals(path, corpus)
  const t1 = performance.now()
  const dir = await UserDirectory.open({ serverName: corpus.serverName, path })
  const t2 = performance.now()
  const { deltas, ingestMs } = await ingestStream(dir, corpus)
  return { dir, result: { registerCalls: corpus.locals.length, registerMs: t1 - t0, openMs: t2 - t1, deltas, ingestMs, entries: dir.stats().entries } }
}

