// Our search called in-process: one warm-up pass over the queries, then a
// timed pass, one `search` call per query (the `await` included).
import type { UserDirectory } from '../src/index.js'
import { elapsedUs } from './stats.js'

/** A query as a directory sees it. */
export interface PlainQuery {
  term: string
  requesterId: string
  limit: number
}

/** Latency (µs) and returned user ids of each query, in order. */
export interface InProcessRun {
  latencyUs: number[]
  ids: string[][]
}

export async function measureInProcess(dir: UserDirectory, queries: readonly PlainQuery[]): Promise<InProcessRun> {
  for (const q of queries) await dir.search(q.requesterId, q.term, q.limit)
  const latencyUs: number[] = []
  const ids: string[][] = []
  for (const q of queries) {
    const start = process.hrtime.bigint()
    const page = await dir.search(q.requesterId, q.term, q.limit)
    latencyUs.push(elapsedUs(start))
    ids.push(page.results.map((r) => r.user_id))
  }
  return { latencyUs, ids }
}
