// Renders bench/RESULTS.md (the newest result of each size) and each
// result's plots from the JSON files in bench/results/.
//
//   node --import tsx bench/report/results-md.ts     (re-render without measuring)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { QUERY_CLASSES } from '../../corpus/index.js'
import { isReferenceRun, REFERENCE_CALIBRATION_MS, REFERENCE_CALIBRATION_NOTE, REFERENCE_RUN, scaleToReference } from '../run/calibration.js'
import { evaluateTargets } from './targets.js'
import type { BenchResults, Target } from './types.js'
import { barChart, cdfPoints, formatMicros, lineChart } from './svg.js'
import type { BarSeries, Series } from './svg.js'

const SIZE_ORDER = ['10k', '100k', '1m']
const int = (v: number): string => Math.round(v).toLocaleString('en')
const mib = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MiB`
const x = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '–' : v >= 10 ? `${Math.round(v)}×` : `${v.toFixed(v < 0.01 ? 4 : v < 1 ? 3 : 2)}×`)
const us = formatMicros

/** A target's figure on the reference machine: times × factor, rates ÷ factor (factor = reference ÷ this run's calibration). */
function scaled(t: Target, factor: number): string {
  if (t.absolute === undefined || !Number.isFinite(factor)) return '–'
  return t.absolute.kind === 'us' ? us(t.absolute.value * factor) : `${int(t.absolute.value / factor)}/s`
}

function calibrationLine(r: BenchResults, factor: number, reference: BenchResults | undefined): string {
  const c = r.calibration
  if (c === undefined) {
    return isReferenceRun(r.machine, r.date)
      ? `Machine calibration: not measured (before bench/run/calibration.ts), but this is the reference run (commit ${REFERENCE_RUN.commit}, ${REFERENCE_RUN.date}; reference calibration ${REFERENCE_CALIBRATION_MS} ms, ${REFERENCE_CALIBRATION_NOTE}): scaled figures equal measured ones.`
      : 'Machine calibration: not measured (results from before bench/run/calibration.ts); no figure is scaled.'
  }
  const pg = r.search.postgres?.all.p50
  const ref = REFERENCE_CALIBRATION_MS > 0 ? `reference ${REFERENCE_CALIBRATION_MS.toFixed(0)} ms (${REFERENCE_CALIBRATION_NOTE}), so times are scaled by ×${factor.toFixed(2)} and rates by ÷${factor.toFixed(2)}` : 'no reference value yet, so no figure is scaled'
  const refPg = reference?.search.postgres?.all.p50
  const sameQueries = reference !== undefined && JSON.stringify(reference.corpus) === JSON.stringify(r.corpus) && JSON.stringify(reference.queries) === JSON.stringify(r.queries)
  const pgCheck =
    pg === undefined || !Number.isFinite(factor)
      ? ''
      : ` Cross-check: PostgreSQL's own search p50 here ${us(pg)}, scaled ${us(pg * factor)}${refPg !== undefined && sameQueries ? `, in the reference run over the same corpus and queries ${us(refPg)} (the machine measured ${(pg / refPg).toFixed(2)}× slower by PostgreSQL, ${(1 / factor).toFixed(2)}× by the calibration)` : ''}.`
  return `Machine calibration (${c.workload}): ${c.medianMs.toFixed(0)} ms (runs ${c.runsMs.map((v) => v.toFixed(0)).join(', ')} ms); ${ref}. Timings on a shared 2-core machine are noisy: the calibration runs before the bench's phases, not under their instantaneous load.${pgCheck}`
}

function plots(r: BenchResults, dir: string): string[] {
  const base = `${r.date}-${r.size}`
  const engines: [string, (number | null)[] | undefined][] = [['ours (in-process)', r.latencies.ours], ['PostgreSQL', r.latencies.postgres], ['SQLite FTS4', r.latencies.sqlite]]
  const series: Series[] = []
  for (const [name, values] of engines) if (values !== undefined) series.push({ name, points: cdfPoints(values.filter((v): v is number => v !== null)) })
  if (r.http !== undefined) series.splice(1, 0, { name: `ours (HTTP, ${int(r.http.fixedRate.ratePerSecond)} req/s)`, points: r.http.fixedRate.cdf })
  writeFileSync(join(dir, `${base}-cdf.svg`), lineChart(`Search latency CDF, ${r.size} users`, 'latency (log scale)', 'fraction of queries', series))
  const byClass = (pick: 'p50' | 'p99'): BarSeries[] => {
    const out: BarSeries[] = [{ name: `ours ${pick}`, values: QUERY_CLASSES.map((c) => r.search.ours.byClass[c]?.[pick] ?? NaN) }]
    if (r.search.postgres !== undefined) out.push({ name: `PostgreSQL ${pick}`, values: QUERY_CLASSES.map((c) => r.search.postgres?.byClass[c]?.[pick] ?? NaN) })
    if (r.search.sqlite !== undefined) out.push({ name: `SQLite ${pick}`, values: QUERY_CLASSES.map((c) => r.search.sqlite?.byClass[c]?.[pick] ?? NaN) })
    return out
  }
  writeFileSync(join(dir, `${base}-classes-p50.svg`), barChart(`Search p50 by query class, ${r.size} users`, 'p50 latency (log scale)', [...QUERY_CLASSES], byClass('p50')))
  writeFileSync(join(dir, `${base}-classes-p99.svg`), barChart(`Search p99 by query class, ${r.size} users`, 'p99 latency (log scale)', [...QUERY_CLASSES], byClass('p99')))
  return [`${base}-cdf.svg`, `${base}-classes-p50.svg`, `${base}-classes-p99.svg`]
}

function searchTable(r: BenchResults, pass: 'seen' | 'cold' | 'coldUnpinned' = 'seen'): string[] {
  const { postgres, sqlite } = r.search
  const ours = (pass === 'cold' ? r.search.oursCold : pass === 'coldUnpinned' ? r.search.oursColdUnpinned : undefined) ?? r.search.ours
  const ratios = (pass === 'cold' ? r.search.coldRatios : pass === 'coldUnpinned' ? r.search.coldUnpinnedRatios : undefined) ?? r.search.ratios
  const rows = ['| class | queries | ours p50 | ours p95 | ours p99 | PG p50 | PG p99 | SQLite p50 | SQLite p99 | ours÷PG p50 | ours÷PG p99 | ours÷SQLite p50 | ours÷SQLite p99 |', '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|']
  const line = (label: string, o = ours.all, p = postgres?.all, s = sqlite?.all, rp = ratios.postgres, rs = ratios.sqlite): string =>
    `| ${label} | ${int(o.n)} | ${us(o.p50)} | ${us(o.p95)} | ${us(o.p99)} | ${p === undefined ? '–' : us(p.p50)} | ${p === undefined ? '–' : us(p.p99)} | ${s === undefined ? '–' : us(s.p50)} | ${s === undefined ? '–' : us(s.p99)} | ${x(rp?.p50)} | ${x(rp?.p99)} | ${x(rs?.p50)} | ${x(rs?.p99)} |`
  rows.push(line('**all**'))
  for (const c of QUERY_CLASSES) {
    const o = ours.byClass[c]
    if (o === undefined) continue
    const rp = ratios.postgres?.byClass[c]
    const rs = ratios.sqlite?.byClass[c]
    rows.push(line(c, o, postgres?.byClass[c], sqlite?.byClass[c], rp === undefined ? undefined : { ...ratios.postgres!, ...rp }, rs === undefined ? undefined : { ...ratios.sqlite!, ...rs }))
  }
  return rows
}

function operationsTable(r: BenchResults): string[] {
  const pgTotal = r.storage.postgres?.totalBytes
  const pgLoad = r.loads.postgresMs === undefined ? undefined : Object.values(r.loads.postgresMs).reduce((a, b) => a + b, 0)
  const lmdbIngestMs = (r.ingest.lmdb.deltas / r.ingest.lmdb.deltasPerSecond) * 1000 + r.ingest.lmdb.seedLocalsMs
  const rows = ['| operation | ours | PostgreSQL (Synapse) | SQLite (Synapse) | ours÷PG | ours÷SQLite |', '|---|--:|--:|--:|--:|--:|']
  rows.push(`| ingest, memory (batches of 1,000) | ${int(r.ingest.memory.deltasPerSecond)} deltas/s | | | | |`)
  rows.push(`| ingest, LMDB (batches of 1,000, durable) | ${int(r.ingest.lmdb.deltasPerSecond)} deltas/s | | | | |`)
  rows.push(`| local users, memory (register + profile calls) | ${int(r.ingest.memory.registerCallsPerSecond)} calls/s | | | | |`)
  rows.push(`| load the whole corpus | ${us(lmdbIngestMs * 1000)} (LMDB: seed locals + stream) | ${pgLoad === undefined ? '–' : us(pgLoad * 1000)} (COPY + indexes) | ${r.loads.sqliteMs === undefined ? '–' : us(r.loads.sqliteMs * 1000)} (one transaction) | ${x(pgLoad === undefined ? undefined : lmdbIngestMs / pgLoad)} | ${x(r.loads.sqliteMs === undefined ? undefined : lmdbIngestMs / r.loads.sqliteMs)} |`)
  const pgJoin = r.join.postgres
  rows.push(`| one more member, ${int(r.join.members)}-member private room, p50 / p99 (memory) | ${us(r.join.memory.p50)} / ${us(r.join.memory.p99)} | | | | |`)
  rows.push(`| same, LMDB (durable commit) vs Synapse's pair upserts | ${us(r.join.lmdb.p50)} / ${us(r.join.lmdb.p99)} | ${pgJoin === undefined ? '–' : `${us(pgJoin.p50)} / ${us(pgJoin.p99)} (${int(pgJoin.rowsPerJoin)} rows)`} | | ${x(pgJoin === undefined ? undefined : r.join.lmdb.p50 / pgJoin.p50)} | |`)
  rows.push(`| rebuild() | ${us(r.rebuildMs * 1000)} | | | | |`)
  rows.push(`| reopen from LMDB: open / first answer | ${us(r.reopen.openMs * 1000)} / ${us(r.reopen.firstAnswerMs * 1000)} | | | | |`)
  if (r.warm !== undefined) {
    const w = r.warm
    const mb = (entries: number): string => `${(entries * 13 / 1e6).toFixed(0)} MB`
    rows.push(`| search warm-up after reopen (background, frequent prefixes ranked ahead) | ${us(w.reopen.ms * 1000)}: ${int(w.reopen.lexemes)} prefixes, ${int(w.reopen.entries)} list entries (~${mb(w.reopen.entries)}) | | | | |`)
    rows.push(`| same, after the in-memory ingest | ${us(w.memory.ms * 1000)}: ${int(w.memory.lexemes)} prefixes | | | | |`)
  }
  rows.push(`| RSS after reopen and warm-up (fresh process) | ${int(r.reopen.rssMiB)} MiB (${int(r.reopen.rssBytesPerEntry)} B/entry) | | | | |`)
  rows.push(`| heap after reopen | ${int(r.reopen.heapUsedMiB)} MiB (${int(r.reopen.heapBytesPerEntry)} B/entry); built by ingest: ${int(r.ingest.memory.heapBytesPerEntry)} B/entry | | | | |`)
  rows.push(`| size on disk | ${mib(r.storage.lmdb.diskBytes)} (file ${mib(r.storage.lmdb.fileBytes)}) | ${pgTotal === undefined ? '–' : mib(pgTotal)} (tables + indexes) | ${r.storage.sqlite === undefined ? '–' : mib(r.storage.sqlite.bytes)} | ${x(pgTotal === undefined ? undefined : r.storage.lmdb.diskBytes / pgTotal)} | ${x(r.storage.sqlite === undefined ? undefined : r.storage.lmdb.diskBytes / r.storage.sqlite.bytes)} |`)
  return rows
}

function section(r: BenchResults, dir: string, reference: BenchResults | undefined): string[] {
  const c = r.corpus
  const lines = [`## ${r.size} users (${r.date})`, '']
  lines.push(`Corpus (seed ${r.seed}): ${int(c.users)} users (${int(c.localUsers)} local), ${int(c.rooms)} rooms (${int(c.publicRooms)} public; largest public ${int(c.largestPublicRoom)}, largest private ${int(c.largestPrivateRoom)}), ${int(c.memberships)} memberships, ${int(c.deltas)} deltas. Synapse's tables: ${int(c.directoryEntries)} directory entries, ${int(c.usersInPublicRooms)} users_in_public_rooms rows, ${int(c.sharePrivateRoomPairs)} users_who_share_private_rooms rows.`)
  lines.push(`Queries: ${int(r.queries.count)}; modes ${Object.entries(r.queries.byMode).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '')
  const factor = scaleToReference(r.calibration, isReferenceRun(r.machine, r.date))
  lines.push(calibrationLine(r, factor, reference), '')
  lines.push('### Targets', '', '| target | goal | measured | scaled to reference | |', '|---|---|--:|--:|---|')
  // Results from before the raw figures were stored: take them from today's evaluation of the same result, by target name.
  let fresh: Target[] = []
  try {
    fresh = evaluateTargets(r)
  } catch {
    fresh = []
  }
  for (const stored of r.targets) {
    const t = stored.absolute === undefined ? { ...stored, absolute: fresh.find((f) => f.name === stored.name)?.absolute } : stored
    lines.push(`| ${t.name} | ${t.target} | ${t.value} | ${scaled(t, factor)} | ${t.ok ? 'met' : '**missed**'} |`)
  }
  lines.push('', '### Search latency by query class', '')
  lines.push('Query seen before (its ranking cached by the warm-up pass, as for a repeated or retyped query):', '')
  lines.push(...searchTable(r))
  if (r.search.oursCold !== undefined && r.search.oursColdUnpinned !== undefined) {
    lines.push('', 'First sight (the cache of searched queries dropped before each query; the rankings of the frequent prefixes, built by the directory\'s own warm-up after open, kept, so a query for one of them walks a ready ranking and any other scores every match; PostgreSQL and SQLite columns as above):', '')
    lines.push(...searchTable(r, 'cold'))
    lines.push('', 'First sight with nothing ranked ahead (the frequent prefixes\' rankings dropped too, so every match of every query is scored):', '')
    lines.push(...searchTable(r, 'coldUnpinned'))
  } else if (r.search.oursCold !== undefined) {
    lines.push('', 'First sight (the ranking cache dropped before each query, so every match is scored; PostgreSQL and SQLite columns as above):', '')
    lines.push(...searchTable(r, 'cold'))
  }
  const { postgres, sqlite, ratios } = r.search
  const notes: string[] = []
  if (postgres !== undefined) notes.push(`PostgreSQL ran ${int(postgres.ran)} queries in its budget (${postgres.errors} errors); ratios over the ${int(ratios.postgres?.common ?? 0)} queries both ran; same first page as ours: ${int(ratios.postgres?.sameOrder ?? 0)} in the same order, ${int(ratios.postgres?.sameSet ?? 0)} as a set${ratios.postgres?.sameScores === undefined ? '' : `, ${int(ratios.postgres.sameScores)} with the same scores (differing only in the order of equal scores: Synapse's ORDER BY has no last key)`}; the rest are mostly queries over PostgreSQL's 10,000-match cap.`)
  if (sqlite !== undefined) notes.push(`SQLite ran ${int(sqlite.ran)} queries in its budget; ${sqlite.errors} failed (FTS4 syntax errors Synapse would return as 500s${sqlite.firstError === undefined ? '' : `, e.g. \`${sqlite.firstError.slice(0, 80)}\``}); its ranking differs from PostgreSQL's by design (same set: ${int(ratios.sqlite?.sameSet ?? 0)}).`)
  lines.push('', ...notes.map((n) => `- ${n}`))
  lines.push(`- By mode (ours, p50 / p99): ${Object.entries(r.search.ours.byMode).map(([k, v]) => `${k} ${us(v.p50)} / ${us(v.p99)}`).join('; ')}.`)
  if (r.http !== undefined) {
    const f = r.http.fixedRate
    const s = r.http.saturation
    lines.push('', '### HTTP on loopback', '')
    const w = r.http.warmUp
    if (w !== undefined) lines.push(`- Warm-up before the timed runs: each of the ${int(w.requests)} requests the timed runs cycle through, once, 4 at a time, each waiting for its answer (${w.seconds.toFixed(1)} s, ${w.failed} failed), so their rankings are cached, as in the in-process "seen before" pass.`)
    lines.push(`- Fixed rate ${int(f.ratePerSecond)} req/s for ${int(f.sent)} requests (open loop, latency from the scheduled send time; answered ${int(f.achievedPerSecond)} req/s, ${f.failed} failed, ${f.unfinished ?? 0} unanswered at the deadline and counted with their wait so far): p50 ${us(f.latency.p50)}, p95 ${us(f.latency.p95)}, p99 ${us(f.latency.p99)}, max ${us(f.latency.max)}.${f.sendLate === undefined ? '' : ` Of that, the generator's own lateness in sending (its 1 ms timer, its pauses; it shares the 2 cores): p50 ${us(f.sendLate.p50)}, p99 ${us(f.sendLate.p99)}.`}`)
    lines.push(`- Saturation (autocannon, ${s.connections} connections): ${int(s.requestsPerSecond)} req/s, latency p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms (${s.non2xx} non-2xx, ${s.errors} errors). The load generator shares the 2 cores.`)
  }
  lines.push('', '### Other operations', '', ...operationsTable(r))
  if (r.storage.postgres !== undefined) {
    lines.push('', `PostgreSQL sizes: ${r.storage.postgres.tables.map((t) => `${t.table} ${int(t.rows)} rows, ${mib(t.tableBytes)} + ${mib(t.indexBytes)} indexes`).join('; ')}.`)
  }
  const files = plots(r, dir)
  lines.push('', ...files.map((f) => `![${f}](results/${f})`), '')
  lines.push(`Machine: ${Object.entries(r.machine).map(([k, v]) => `${k} ${v}`).join(', ')}. Phases: ${Object.entries(r.phasesMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}.`, '')
  return lines
}

/** Writes RESULTS.md from the newest result file of each size in `resultsDir`. */
export function writeReport(resultsDir: string, outPath: string): void {
  const newest = new Map<string, string>()
  for (const name of readdirSync(resultsDir).filter((n) => n.endsWith('.json')).sort()) newest.set(name.replace(/^\d{4}-\d{2}-\d{2}-/, '').replace(/\.json$/, ''), name)
  // The reference run's result of each size, for the PostgreSQL cross-check of the calibration.
  const referenceOf = (size: string): BenchResults | undefined => {
    try {
      const r = JSON.parse(readFileSync(join(resultsDir, `${REFERENCE_RUN.date}-${size}.json`), 'utf8')) as BenchResults
      return isReferenceRun(r.machine, r.date) ? r : undefined
    } catch {
      return undefined
    }
  }
  const lines = [
    '# Benchmarks: our engine beside Synapse\'s own databases',
    '',
    'Generated by `npm run bench -- --size 10k|100k|1m` (bench/run/index.ts) from the newest `bench/results/<date>-<size>.json`; re-render with `node --import tsx bench/report/results-md.ts`.',
    'One seeded corpus and query mix per size, measured in one run: our search in-process (fresh process reopened from LMDB, one per mode) and over HTTP on loopback, and Synapse\'s schema, indexes and search SQL on PostgreSQL 15 (the `pg` client over a Unix socket) and on SQLite with FTS4 and Synapse\'s rank function (better-sqlite3). Ratios are ours ÷ theirs over the queries both ran: below 1× we are faster or smaller.',
    '',
  ]
  for (const size of [...newest.keys()].sort((a, b) => SIZE_ORDER.indexOf(a) - SIZE_ORDER.indexOf(b))) {
    const r = JSON.parse(readFileSync(join(resultsDir, newest.get(size) as string), 'utf8')) as BenchResults
    lines.push(...section(r, resultsDir, referenceOf(size)))
  }
  writeFileSync(outPath, lines.join('\n'))
}

if (process.argv[1] === import.meta.filename) writeReport(join(import.meta.dirname, '..', 'results'), join(import.meta.dirname, '..', 'RESULTS.md'))
