// The targets of issue 7, checked against one run's results.
import type { BenchResults, Target } from './types.js'
import { formatMicros } from './svg.js'

const perSecond = (v: number): string => `${Math.round(v).toLocaleString('en')}/s`
const us = (value: number): Target['absolute'] => ({ kind: 'us', value })
const rate = (value: number): Target['absolute'] => ({ kind: 'perSecond', value })

export function evaluateTargets(r: BenchResults): Target[] {
  const targets: Target[] = [
    { name: 'search p50, in-process (query seen before: ranking cached)', target: '≤ 20 µs', value: formatMicros(r.search.ours.all.p50), ok: r.search.ours.all.p50 <= 20, absolute: us(r.search.ours.all.p50) },
    { name: 'search p99, in-process (query seen before: ranking cached)', target: '≤ 1 ms', value: formatMicros(r.search.ours.all.p99), ok: r.search.ours.all.p99 <= 1000, absolute: us(r.search.ours.all.p99) },
  ]
  const cold = r.search.oursCold
  if (cold !== undefined) {
    targets.push(
      { name: 'search p50, in-process (first sight: frequent prefixes ranked ahead, the rest built)', target: '≤ 20 µs', value: formatMicros(cold.all.p50), ok: cold.all.p50 <= 20, absolute: us(cold.all.p50) },
      { name: 'search p99, in-process (first sight: frequent prefixes ranked ahead, the rest built)', target: '≤ 1 ms', value: formatMicros(cold.all.p99), ok: cold.all.p99 <= 1000, absolute: us(cold.all.p99) },
    )
  }
  const unpinned = r.search.oursColdUnpinned
  if (unpinned !== undefined) {
    targets.push(
      { name: 'search p50, in-process (first sight, nothing ranked ahead)', target: '≤ 20 µs', value: formatMicros(unpinned.all.p50), ok: unpinned.all.p50 <= 20, absolute: us(unpinned.all.p50) },
      { name: 'search p99, in-process (first sight, nothing ranked ahead)', target: '≤ 1 ms', value: formatMicros(unpinned.all.p99), ok: unpinned.all.p99 <= 1000, absolute: us(unpinned.all.p99) },
    )
  }
  if (r.http !== undefined) {
    targets.push({ name: `HTTP p99 at ${r.http.fixedRate.ratePerSecond.toLocaleString('en')} req/s`, target: '≤ 5 ms', value: formatMicros(r.http.fixedRate.latency.p99), ok: r.http.fixedRate.latency.p99 <= 5000, absolute: us(r.http.fixedRate.latency.p99) })
    targets.push({ name: 'HTTP saturation', target: '≥ 10,000 req/s', value: perSecond(r.http.saturation.requestsPerSecond), ok: r.http.saturation.requestsPerSecond >= 10_000, absolute: rate(r.http.saturation.requestsPerSecond) })
  }
  targets.push(
    { name: 'ingest, memory', target: '≥ 200,000 deltas/s', value: perSecond(r.ingest.memory.deltasPerSecond), ok: r.ingest.memory.deltasPerSecond >= 200_000, absolute: rate(r.ingest.memory.deltasPerSecond) },
    { name: 'ingest, LMDB (batches of 1,000)', target: '≥ 50,000 deltas/s', value: perSecond(r.ingest.lmdb.deltasPerSecond), ok: r.ingest.lmdb.deltasPerSecond >= 50_000, absolute: rate(r.ingest.lmdb.deltasPerSecond) },
    { name: `one more member, ${r.join.members.toLocaleString('en')}-member private room (LMDB, p50)`, target: '≤ 1 ms', value: formatMicros(r.join.lmdb.p50), ok: r.join.lmdb.p50 <= 1000, absolute: us(r.join.lmdb.p50) },
    { name: 'rebuild()', target: '≤ 30 s', value: formatMicros(r.rebuildMs * 1000), ok: r.rebuildMs <= 30_000, absolute: us(r.rebuildMs * 1000) },
    { name: 'reopen from LMDB to first answer', target: '≤ 10 s', value: formatMicros(r.reopen.firstAnswerMs * 1000), ok: r.reopen.firstAnswerMs <= 10_000, absolute: us(r.reopen.firstAnswerMs * 1000) },
    { name: 'RSS after reopen', target: '≤ 2 GB', value: `${Math.round(r.reopen.rssMiB)} MiB`, ok: r.reopen.rssMiB * 1048576 <= 2e9 },
  )
  return targets
}
