// The benchmark runner: one corpus and one query mix, measured in one run on
// our engine (in-process, over HTTP, in memory and on LMDB) and on Synapse's
// own databases (PostgreSQL 15 and SQLite FTS4). Writes
// bench/results/<date>-<size>.json, its plots, and bench/RESULTS.md.
//
//   npm run bench -- --size 10k|100k|1m [--no-pg] [--no-sqlite] [--no-http]
//                    [--queries 4000] [--budget-seconds 60] [--seed 1]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type pg from 'pg'
import { generateCorpus, deltaCount, generateQueries, MODES, QUERY_CLASSES, tableCounts } from '../../corpus/index.js'
import { ingestInMemory, ingestLmdb } from './ingest.js'
import { BIG_ROOM_ID, measureJoin, measureJoinPostgres, planBigRoom } from './join-big-room.js'
import { measureCalibration } from './calibration.js'
import { machineInfo } from './machine.js'
import { loadPostgres, pgConnection } from './pg-load.js'
import { measureRebuild } from './rebuild.js'
import { runReopen } from './reopen.js'
import type { ReopenResult } from './reopen.js'
import { writeReport } from '../report/results-md.js'
import type { BenchResults, EngineSummary, Ratio } from '../report/types.js'
import { measureHttp } from './search-http.js'
import { measurePostgres, pgPageScores } from './search-postgres.js'
import type { EngineRun } from './search-postgres.js'
import { loadSqlite, measureSqlite } from './search-sqlite.js'
import { summarize, summarizeByClass } from '../report/stats.js'
import { collectGarbage } from './measure.js'
import { lmdbSize } from './store-size.js'
import { evaluateTargets } from '../report/targets.js'
import { cdfPoints } from '../report/svg.js'

const SIZES: Record<string, number> = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 }

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '10k' },
    'no-pg': { type: 'boolean', default: false },
    'no-sqlite': { type: 'boolean', default: false },
    'no-http': { type: 'boolean', default: false },
    queries: { type: 'string', default: '4000' },
    'budget-seconds': { type: 'string', default: '60' },
    seed: { type: 'string', default: '1' },
    'heap-mib': { type: 'string', default: '8192' },
  },
})
const size = args.size.toLowerCase()
const userCount = SIZES[size]
if (userCount === undefined) throw new Error(`--size must be one of ${Object.keys(SIZES).join(', ')}`)
const seed = Number(args.seed)
const budgetMs = Number(args['budget-seconds']) * 1000
const benchDir = join(import.meta.dirname, '..')
const workDir = join(benchDir, '.work', size)
rmSync(workDir, { recursive: true, force: true })
mkdirSync(workDir, { recursive: true })

const phasesMs: Record<string, number> = {}
const runStart = performance.now()
async function phase<T>(name: string, work: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now()
  process.stderr.write(`[bench ${size}] ${name}…`)
  const result = await work()
  phasesMs[name] = performance.now() - t0
  process.stderr.write(` ${(phasesMs[name] / 1000).toFixed(1)} s (total ${((performance.now() - runStart) / 1000).toFixed(0)} s)\n`)
  return result
}

// ---- machine calibration: a fixed workload, so absolute figures can be scaled to the reference machine
const calibration = await phase('calibration', () => measureCalibration())

// ---- corpus and queries ----------------------------------------------------
const corpus = await phase('corpus', () => generateCorpus(userCount, seed))
const queries = generateQueries(corpus, Number(args.queries), seed + 1)
const counts = tableCounts(corpus)
const bigRoom = planBigRoom(corpus, 50)

// ---- in memory: ingest, HTTP, one more member, rebuild ----------------------
const memory = await phase('ingest in memory', () => ingestInMemory(corpus))
// The directory ranks its frequent prefixes in the background once ingest
// goes quiet; the HTTP runs start after that warm-up, as a service's would.
const memoryWarm = await phase('search warm-up (memory)', () => memory.dir.warmSearch())
const http = args['no-http']
  ? undefined
  : await phase('http', () => measureHttp(memory.dir, corpus, queries, { workDir, ratePerSecond: 2000, rateSeconds: 10, saturationSeconds: 10, saturationConnections: 32 }))
const joinMemory = await phase('join 20k room (memory)', () => measureJoin(memory.dir, corpus, bigRoom, 1_000_000))
const rebuildMs = await phase('rebuild', () => measureRebuild(memory.dir))
await memory.dir.close()
collectGarbage()

// ---- LMDB: ingest, one more member (then undone), size ----------------------
const lmdbPath = join(workDir, 'lmdb')
const lmdb = await phase('ingest with LMDB', () => ingestLmdb(corpus, lmdbPath))
const joinLmdb = await phase('join 20k room (LMDB)', async () => {
  const summary = await measureJoin(lmdb.dir, corpus, bigRoom, 1_000_000)
  const leaves = [...bigRoom.members, ...bigRoom.joiners].map((m) => ({ room_id: BIG_ROOM_ID, type: 'm.room.member', state_key: corpus.users[m].userId, content: { membership: 'leave' } }))
  for (let from = 0; from < leaves.length; from += 1000) await lmdb.dir.ingest(leaves.slice(from, from + 1000), { position: 2_000_000 + from })
  return summary
})
await lmdb.dir.close()
const lmdbBytes = lmdbSize(lmdbPath)
collectGarbage()

// ---- reopen in fresh processes, one per mode: reopen figures and in-process search
const reopenByMode: ReopenResult[] = []
for (let m = 0; m < MODES.length; m++) {
  const selected = queries.flatMap((q, i) => (q.mode === m ? [i] : []))
  const plain = selected.map((i) => ({ term: queries[i].term, requesterId: corpus.users[queries[i].requester].userId, limit: queries[i].limit }))
  const result = await phase(`reopen + search (${MODES[m].name})`, () => runReopen({ path: lmdbPath, serverName: corpus.serverName, mode: MODES[m], queries: plain }, workDir, Number(args['heap-mib'])))
  reopenByMode.push(result)
  ;(result as ReopenResult & { selected: number[] }).selected = selected
}
const oursLatency = queries.map(() => NaN)
const oursColdLatency = queries.map(() => NaN)
const oursColdUnpinnedLatency = queries.map(() => NaN)
const oursIds: (string[] | null)[] = queries.map(() => null)
const oursScores: (number[] | null)[] = queries.map(() => null)
for (const r of reopenByMode) {
  const selected = (r as ReopenResult & { selected: number[] }).selected
  selected.forEach((qi, k) => {
    oursLatency[qi] = r.search.latencyUs[k]
    oursColdLatency[qi] = r.search.coldLatencyUs[k]
    oursColdUnpinnedLatency[qi] = r.search.coldUnpinnedLatencyUs[k]
    oursIds[qi] = r.search.ids[k]
    oursScores[qi] = r.search.scores[k]
  })
}

// ---- PostgreSQL and SQLite ---------------------------------------------------
let pgVersion = 'not run'
let pgRun: EngineRun | undefined
let pgLoad: Awaited<ReturnType<typeof loadPostgres>> | undefined
let joinPg: BenchResults['join']['postgres']
let pgSameScores: number | undefined

// Pages whose ids match ours, or differ only in the order of equal scores
// (Synapse's ORDER BY has no last key); differing pages are re-queried with
// PostgreSQL's scores, untimed, within the time budget.
async function countSameScores(client: pg.Client, run: EngineRun): Promise<number> {
  let same = 0
  const until = performance.now() + budgetMs
  for (let i = 0; i < queries.length; i++) {
    const a = oursIds[i]
    const b = run.ids[i]
    const scores = oursScores[i]
    if (a === null || b === null || scores === null) continue
    if (a.length === b.length && a.every((id, k) => id === b[k])) {
      same++
      continue
    }
    if (performance.now() > until) continue
    const theirs = await pgPageScores(client, corpus, queries[i])
    if (theirs.length === scores.length && theirs.every((v, k) => Math.abs(v - scores[k]) <= 1e-5 * Math.max(1, Math.abs(v)))) same++
  }
  return same
}
if (!args['no-pg']) {
  const connection = await phase('postgres: start', () => pgConnection())
  pgVersion = connection.version
  pgLoad = await phase('postgres: load', () => loadPostgres(connection.psqlArgs, corpus))
  const client = connection.client()
  await client.connect()
  try {
    pgRun = await phase('postgres: search', () => measurePostgres(client, corpus, queries, budgetMs))
    const run = pgRun
    pgSameScores = await phase('postgres: check differing pages', () => countSameScores(client, run))
    joinPg = await phase('postgres: join 20k room', () => measureJoinPostgres(client, corpus, bigRoom, 10))
  } finally {
    await client.end()
  }
}
let sqliteRun: EngineRun | undefined
let sqliteLoad: { loadMs: number; bytes: number } | undefined
let sqliteVersion = 'not run'
if (!args['no-sqlite']) {
  const loaded = await phase('sqlite: load', () => loadSqlite(join(workDir, 'synapse.sqlite'), corpus))
  sqliteLoad = { loadMs: loaded.loadMs, bytes: loaded.bytes }
  sqliteVersion = (loaded.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v
  sqliteRun = await phase('sqlite: search', () => measureSqlite(loaded.db, corpus, queries, budgetMs))
  loaded.db.close()
}

// ---- summaries ---------------------------------------------------------------
function engineSummary(latencyUs: number[], run?: EngineRun): EngineSummary {
  const failed = (i: number): boolean => run !== undefined && run.ids[i] === null
  const { all, byClass } = summarizeByClass(queries, Float64Array.from(latencyUs), (i) => !failed(i))
  return { ran: all.n, errors: run?.errors ?? 0, ...(run?.firstError === undefined ? {} : { firstError: run.firstError }), all, byClass: byClass as Record<string, typeof all> }
}

function ratio(run: EngineRun, oursUs = oursLatency): Ratio {
  const common = (i: number): boolean => !Number.isNaN(run.latencyUs[i]) && run.ids[i] !== null && !Number.isNaN(oursUs[i])
  const ours = summarizeByClass(queries, Float64Array.from(oursUs), common)
  const theirs = summarizeByClass(queries, Float64Array.from(run.latencyUs), common)
  const byClass: Ratio['byClass'] = {}
  for (const c of QUERY_CLASSES) {
    const a = ours.byClass[c]
    const b = theirs.byClass[c]
    if (a !== undefined && b !== undefined) byClass[c] = { p50: a.p50 / b.p50, p99: a.p99 / b.p99 }
  }
  let sameOrder = 0
  let sameSet = 0
  for (let i = 0; i < queries.length; i++) {
    const a = oursIds[i]
    const b = run.ids[i]
    if (!common(i) || a === null || b === null) continue
    if (a.length === b.length && a.every((id, k) => id === b[k])) sameOrder++
    const set = new Set(a)
    if (a.length === b.length && b.every((id) => set.has(id))) sameSet++
  }
  return { common: ours.all.n, p50: ours.all.p50 / theirs.all.p50, p99: ours.all.p99 / theirs.all.p99, byClass, sameOrder, sameSet }
}

const byMode: Record<string, ReturnType<typeof summarize>> = {}
for (const r of reopenByMode) byMode[r.mode] = summarize(r.search.latencyUs)
const reopenDefault = reopenByMode[0]
const countBy = <K extends string>(key: (q: (typeof queries)[number]) => K): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const q of queries) out[key(q)] = (out[key(q)] ?? 0) + 1
  return out
}
const memberships = corpus.rooms.reduce((n, room) => n + room.members.length, 0)
const round = (v: number): number | null => (Number.isNaN(v) ? null : Math.round(v * 10) / 10)
const httpLatency = http === undefined ? undefined : summarize(http.fixedRate.latencyUs)
const date = new Date().toISOString().slice(0, 10)

const results: BenchResults = {
  date,
  size,
  seed,
  machine: machineInfo({ postgres: pgVersion, sqlite: sqliteVersion }),
  calibration,
  corpus: {
    users: corpus.users.length, localUsers: corpus.locals.length, rooms: corpus.rooms.length, publicRooms: corpus.rooms.filter((r) => r.isPublic).length,
    memberships, deltas: deltaCount(corpus), directoryEntries: counts.directory, usersInPublicRooms: counts.inPublicRooms, sharePrivateRoomPairs: counts.sharePrivateRooms,
    largestPublicRoom: corpus.rooms.reduce((n, r) => (r.isPublic ? Math.max(n, r.members.length) : n), 0),
    largestPrivateRoom: corpus.rooms.reduce((n, r) => (r.isPublic ? n : Math.max(n, r.members.length)), 0),
  },
  queries: { count: queries.length, byClass: countBy((q) => q.class), byMode: countBy((q) => MODES[q.mode].name) },
  search: {
    ours: { ...engineSummary(oursLatency), byMode },
    ...(pgRun === undefined ? {} : { postgres: engineSummary(pgRun.latencyUs, pgRun) }),
    ...(sqliteRun === undefined ? {} : { sqlite: engineSummary(sqliteRun.latencyUs, sqliteRun) }),
    ratios: { ...(pgRun === undefined ? {} : { postgres: { ...ratio(pgRun), ...(pgSameScores === undefined ? {} : { sameScores: pgSameScores }) } }), ...(sqliteRun === undefined ? {} : { sqlite: ratio(sqliteRun) }) },
    oursCold: engineSummary(oursColdLatency),
    coldRatios: { ...(pgRun === undefined ? {} : { postgres: ratio(pgRun, oursColdLatency) }), ...(sqliteRun === undefined ? {} : { sqlite: ratio(sqliteRun, oursColdLatency) }) },
    oursColdUnpinned: engineSummary(oursColdUnpinnedLatency),
    coldUnpinnedRatios: { ...(pgRun === undefined ? {} : { postgres: ratio(pgRun, oursColdUnpinnedLatency) }), ...(sqliteRun === undefined ? {} : { sqlite: ratio(sqliteRun, oursColdUnpinnedLatency) }) },
  },
  warm: { memory: memoryWarm, reopen: reopenDefault.warm },
  latencies: {
    class: queries.map((q) => q.class),
    ours: oursLatency.map(round),
    ...(pgRun === undefined ? {} : { postgres: pgRun.latencyUs.map(round) }),
    ...(sqliteRun === undefined ? {} : { sqlite: sqliteRun.latencyUs.map(round) }),
  },
  ...(http === undefined || httpLatency === undefined
    ? {}
    : { http: { warmUp: http.warmUp, fixedRate: { ratePerSecond: http.fixedRate.ratePerSecond, sent: http.fixedRate.sent, ok: http.fixedRate.ok, failed: http.fixedRate.failed, unfinished: http.fixedRate.unfinished, achievedPerSecond: http.fixedRate.achievedPerSecond, latency: httpLatency, sendLate: summarize(http.fixedRate.sendLateUs), cdf: cdfPoints(http.fixedRate.latencyUs, 300) }, saturation: http.saturation } }),
  ingest: {
    memory: {
      deltas: memory.result.deltas, deltasPerSecond: memory.result.deltas / (memory.result.ingestMs / 1000),
      registerCallsPerSecond: memory.result.registerCalls / (memory.result.registerMs / 1000),
      heapBytesPerEntry: (memory.result.heapGrowthMiB * 1048576) / memory.result.entries, entries: memory.result.entries,
    },
    lmdb: { deltas: lmdb.result.deltas, deltasPerSecond: lmdb.result.deltas / (lmdb.result.ingestMs / 1000), seedLocalsMs: lmdb.result.registerMs, openAfterSeedMs: lmdb.result.openMs },
  },
  join: { members: bigRoom.members.length, memory: joinMemory, lmdb: joinLmdb, ...(joinPg === undefined ? {} : { postgres: joinPg }) },
  rebuildMs,
  reopen: {
    openMs: reopenDefault.openMs, firstAnswerMs: reopenDefault.firstAnswerMs, rssMiB: reopenDefault.memoryMiB.rss, heapUsedMiB: reopenDefault.memoryMiB.heapUsed, entries: reopenDefault.entries,
    rssBytesPerEntry: ((reopenDefault.memoryMiB.rss - reopenDefault.baselineMiB.rss) * 1048576) / reopenDefault.entries,
    heapBytesPerEntry: ((reopenDefault.memoryMiB.heapUsed - reopenDefault.baselineMiB.heapUsed) * 1048576) / reopenDefault.entries,
    byMode: Object.fromEntries(reopenByMode.map((r) => [r.mode, { openMs: r.openMs, firstAnswerMs: r.firstAnswerMs, rssMiB: r.memoryMiB.rss }])),
  },
  storage: {
    lmdb: lmdbBytes,
    ...(pgLoad === undefined ? {} : { postgres: { tables: pgLoad.sizes, totalBytes: pgLoad.sizes.reduce((n, t) => n + t.tableBytes + t.indexBytes, 0) } }),
    ...(sqliteLoad === undefined ? {} : { sqlite: { bytes: sqliteLoad.bytes } }),
  },
  loads: { ...(pgLoad === undefined ? {} : { postgresMs: pgLoad.loadMs }), ...(sqliteLoad === undefined ? {} : { sqliteMs: sqliteLoad.loadMs }) },
  targets: [],
  phasesMs,
}
results.targets = evaluateTargets(results)
phasesMs.total = performance.now() - runStart

const resultsDir = join(benchDir, 'results')
mkdirSync(resultsDir, { recursive: true })
writeFileSync(join(resultsDir, `${date}-${size}.json`), JSON.stringify(results, null, 1) + '\n')
writeReport(resultsDir, join(benchDir, 'RESULTS.md'))
process.stderr.write(`[bench ${size}] wrote bench/results/${date}-${size}.json and bench/RESULTS.md in ${(phasesMs.total / 1000).toFixed(0)} s\n`)
