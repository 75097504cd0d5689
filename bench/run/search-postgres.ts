// Synapse's search on PostgreSQL: each query sent by the `pg` client over
// the Unix socket as Synapse sends it (SQL text plus parameters, planned per
// call), timed from send to the last row. A warm-up pass runs first; a time
// budget bounds both passes (queries are in random order, so a prefix of the
// list is a fair sample).
import type pg from 'pg'
import { synapseQueries } from '../../postgres/index.js'
import { parseQueryWords } from '../../src/text/index.js'
import type { BenchCorpus, BenchQuery } from '../../corpus/index.js'
import { pgSearchSql } from './pg-schema.js'
import { MODES } from '../../corpus/index.js'
import { elapsedUs } from './measure.js'

/** Latency (µs, NaN where not run) and returned user ids of each query. */
export interface EngineRun {
  latencyUs: number[]
  ids: (string[] | null)[]
  errors: number
  firstError?: string
}

function paramsOf(q: BenchQuery, corpus: BenchCorpus): unknown[] {
  const { both, exact, prefix } = synapseQueries(parseQueryWords(q.term))
  const params: unknown[] = [both, corpus.users[q.requester].userId, exact, prefix, q.limit + 1]
  if (MODES[q.mode].preferLocalUsers) params.push(`%:${corpus.serverName}`)
  return params
}

export async function measurePostgres(client: pg.Client, corpus: BenchCorpus, queries: readonly BenchQuery[], budgetMs: number): Promise<EngineRun> {
  const sqlByMode = MODES.map((mode) => pgSearchSql(mode))
  await client.query('SET client_min_messages = error')
  const run: EngineRun = { latencyUs: queries.map(() => NaN), ids: queries.map(() => null), errors: 0 }
  const one = async (i: number, timed: boolean): Promise<[number, string[] | null]> => {
    const q = queries[i]
    const start = process.hrtime.bigint()
    try {
      const result = await client.query<{ user_id: string }>(sqlByMode[q.mode], paramsOf(q, corpus))
      return [elapsedUs(start), result.rows.slice(0, q.limit).map((r) => r.user_id)]
    } catch (error) {
      if (timed) {
        run.errors++
        run.firstError ??= `${q.term}: ${String(error)}`
      }
      return [elapsedUs(start), null]
    }
  }
  const warmUntil = performance.now() + budgetMs / 4
  for (let i = 0; i < queries.length && performance.now() < warmUntil; i++) await one(i, false)
  const until = performance.now() + budgetMs
  for (let i = 0; i < queries.length && performance.now() < until; i++) {
    const [us, ids] = await one(i, true)
    run.latencyUs[i] = us
    run.ids[i] = ids
  }
  return run
}

/** Synapse's page for the query with PostgreSQL's scores (untimed; to tell tie order from real differences). */
export async function pgPageScores(client: pg.Client, corpus: BenchCorpus, q: BenchQuery): Promise<number[]> {
  const result = await client.query<{ score: string }>(pgSearchSql(MODES[q.mode], true), paramsOf(q, corpus))
  return result.rows.slice(0, q.limit).map((r) => Number(r.score))
}
