// The shape of bench/results/<date>-<size>.json, shared by the runner and the report.
import type { SearchWarmReport } from '../../src/index.js'
import type { Summary } from './stats.js'

/** What the generator reports. */
export interface LoadResult {
  /** The closed-loop pass over every request of the cycle before the timed runs. */
  warmUp: { requests: number; seconds: number; failed: number }
  /** `unfinished`: requests still unanswered at the deadline (rateSeconds × 2 + 10 s); their latency is counted as the wait until then, a lower bound. */
  fixedRate: { ratePerSecond: number; sent: number; ok: number; failed: number; unfinished: number; achievedPerSecond: number; latencyUs: number[]; sendLateUs: number[] }
  saturation: { connections: number; requestsPerSecond: number; ok: number; non2xx: number; errors: number; latencyMs: { p50: number; p99: number; max: number } }
}

/** Table and index bytes of one table (pg_table_size includes TOAST). */
export interface PgTableSize {
  table: string
  rows: number
  tableBytes: number
  indexBytes: number
}

/** LMDB's data file length and the blocks it occupies on disk. */
export interface StoreSize {
  fileBytes: number
  diskBytes: number
}

export interface EngineSummary {
  /** Queries timed (the rest fell outside the engine's time budget). */
  ran: number
  errors: number
  firstError?: string
  all: Summary
  byClass: Record<string, Summary>
}

/** Ours ÷ theirs over the queries both ran; below 1 means we are faster. */
export interface Ratio {
  common: number
  p50: number
  p99: number
  byClass: Record<string, { p50: number; p99: number }>
  /** Queries whose first page had the same ids in the same order / as a set. */
  sameOrder: number
  sameSet: number
  /** Pages that match ours or differ only in the order of equal scores (PostgreSQL only). */
  sameScores?: number
}

export interface Target {
  name: string
  target: string
  value: string
  ok: boolean
  /** The raw figure of a time (µs) or a rate (per second), for the "scaled to reference" column; absent for sizes and for results before the calibration. */
  absolute?: { kind: 'us' | 'perSecond'; value: number }
}

/** The machine calibration of bench/run/calibration.ts, timed in the same run. */
export interface CalibrationResult {
  /** Median of `runsMs`: the figure the scaling uses. */
  medianMs: number
  runsMs: number[]
  /** What was timed, so a result file says which workload its figure belongs to. */
  workload: string
}

export interface BenchResults {
  date: string
  size: string
  seed: number
  machine: Record<string, string>
  /** Absent in results from before the calibration existed. */
  calibration?: CalibrationResult
  corpus: Record<string, number>
  queries: { count: number; byClass: Record<string, number>; byMode: Record<string, number> }
  search: {
    ours: EngineSummary & { byMode: Record<string, Summary> }
    postgres?: EngineSummary
    sqlite?: EngineSummary
    ratios: { postgres?: Ratio; sqlite?: Ratio }
    /** The same queries with the ranking cache dropped before each (absent in results before it existed). */
    oursCold?: EngineSummary
    coldRatios?: { postgres?: Ratio; sqlite?: Ratio }
    /** First sight with the frequent prefixes' rankings dropped too (absent before they existed). */
    oursColdUnpinned?: EngineSummary
    coldUnpinnedRatios?: { postgres?: Ratio; sqlite?: Ratio }
  }
  /** The directory's search warm-up (frequent prefixes ranked ahead): after the in-memory ingest, and after reopen (default mode). */
  warm?: { memory: SearchWarmReport; reopen: SearchWarmReport }
  /** Per-query latencies (µs; null where not run), for plots. */
  latencies: { class: string[]; ours: (number | null)[]; postgres?: (number | null)[]; sqlite?: (number | null)[] }
  http?: { warmUp?: LoadResult['warmUp']; fixedRate: Omit<LoadResult['fixedRate'], 'latencyUs' | 'sendLateUs'> & { latency: Summary; sendLate?: Summary; cdf: [number, number][] }; saturation: LoadResult['saturation'] }
  ingest: {
    memory: { deltas: number; deltasPerSecond: number; registerCallsPerSecond: number; heapBytesPerEntry: number; entries: number }
    lmdb: { deltas: number; deltasPerSecond: number; seedLocalsMs: number; openAfterSeedMs: number }
  }
  join: { members: number; memory: Summary; lmdb: Summary; postgres?: Summary & { rowsPerJoin: number } }
  rebuildMs: number
  reopen: { openMs: number; firstAnswerMs: number; rssMiB: number; heapUsedMiB: number; entries: number; rssBytesPerEntry: number; heapBytesPerEntry: number; byMode: Record<string, { openMs: number; firstAnswerMs: number; rssMiB: number }> }
  storage: { lmdb: StoreSize; postgres?: { tables: PgTableSize[]; totalBytes: number }; sqlite?: { bytes: number } }
  loads: { postgresMs?: Record<string, number>; sqliteMs?: number }
  targets: Target[]
  phasesMs: Record<string, number>
}
