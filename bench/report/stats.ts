// Latency summaries: percentiles overall and per query class.
import { QUERY_CLASSES } from '../../corpus/index.js'
import type { BenchQuery, QueryClass } from '../../corpus/index.js'

/** Percentiles of a set of samples, in the samples' unit. */
export interface Summary {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

/** The `p` quantile (0..1) of ascending `sorted`, nearest-rank. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = Float64Array.from(samples).sort()
  let sum = 0
  for (const v of sorted) sum += v
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.length === 0 ? NaN : sorted[sorted.length - 1],
    mean: sorted.length === 0 ? NaN : sum / sorted.length,
  }
}

/** Per-query latencies of one engine, µs; NaN where the engine did not run the query. */
export type Latencies = Float64Array

/** Summaries overall and per query class of the queries the engine ran (optionally only those `keep` accepts). */
export function summarizeByClass(queries: readonly BenchQuery[], latencies: Latencies, keep: (i: number) => boolean = () => true): { all: Summary; byClass: Partial<Record<QueryClass, Summary>> } {
  const all: number[] = []
  const perClass = new Map<QueryClass, number[]>()
  for (let i = 0; i < queries.length; i++) {
    const v = latencies[i]
    if (Number.isNaN(v) || !keep(i)) continue
    all.push(v)
    const list = perClass.get(queries[i].class) ?? []
    list.push(v)
    perClass.set(queries[i].class, list)
  }
  const byClass: Partial<Record<QueryClass, Summary>> = {}
  for (const c of QUERY_CLASSES) {
    const list = perClass.get(c)
    if (list !== undefined) byClass[c] = summarize(list)
  }
  return { all: summarize(all), byClass }
}
