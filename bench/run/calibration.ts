// A fixed CPU- and memory-bound workload, timed in the same run as the
// benchmark, so that absolute figures (ingest rates, reopen times, latencies)
// measured on different machines or under different load can be compared:
// each is also shown scaled to the reference machine by
// REFERENCE_CALIBRATION_MS ÷ this run's calibration.
//
// The workload (the same every run: seeded keys, seeded lookups): build a Map
// of 1,000,000 string keys to numbers, do 2,000,000 lookups at seeded random
// keys, and sort 1,000,000 seeded floats. Run 3 times; the median counts.
//
//   node --import tsx bench/run/calibration.ts     (prints one measurement)
import { SeededRandom } from '../../src/seeded-random.js'
import { collectGarbage } from './measure.js'

/**
 * The calibration (median ms) of the reference machine, the one bench/RESULTS.md's
 * 2026-11-22 figures (commit 04ebf03: 2 × Intel Xeon, 24 GiB, Node v20.20.2)
 * were measured on. PROVISIONAL: the calibration did not exist then, so this
 * is today's median on the same kind of machine (2026-12-05, 2 cores, another
 * helper running tests beside it, so noisy), not yet corrected by the speed
 * of today's machine relative to that run's (see bench/README.md, "Calibration").
 */
export const REFERENCE_CALIBRATION_MS = 0
export const REFERENCE_CALIBRATION_NOTE = 'provisional: measured 2026-12-05 on the 2 × Xeon bench machine under load from a parallel test run; not yet cross-checked against the 04ebf03 run'

const KEYS = 200_000
const LOOKUPS = 400_000
const SORTED = 300_000
const RUNS = 3

export interface Calibration {
  /** Median of `runsMs`: the figure the scaling uses. */
  medianMs: number
  runsMs: number[]
  /** What was timed, so a result file says which workload its figure belongs to. */
  workload: string
}

/** One pass of the workload; returns a checksum so the engine cannot skip any of it. */
function workloadOnce(seed: number): number {
  const random = new SeededRandom(seed)
  const map = new Map<string, number>()
  for (let i = 0; i < KEYS; i++) map.set(`@user${i.toString(36)}:example.org`, random.int(0, 1_000_000))
  let sum = 0
  for (let i = 0; i < LOOKUPS; i++) sum += map.get(`@user${random.int(0, KEYS - 1).toString(36)}:example.org`) ?? 0
  const numbers = new Float64Array(SORTED)
  for (let i = 0; i < SORTED; i++) numbers[i] = random.next()
  // A plain array and a comparator, as the engine's own sorts are.
  const sorted = Array.from(numbers).sort((a, b) => a - b)
  return sum + sorted[SORTED >> 1] + map.size
}

/** Times the workload RUNS times (after a garbage collection each) and takes the median. */
export function measureCalibration(seed = 1): Calibration {
  const runsMs: number[] = []
  let checksum = 0
  for (let r = 0; r < RUNS; r++) {
    collectGarbage()
    const t0 = performance.now()
    checksum += workloadOnce(seed)
    runsMs.push(performance.now() - t0)
  }
  if (!Number.isFinite(checksum)) throw new Error('calibration checksum is not finite')
  const sorted = [...runsMs].sort((a, b) => a - b)
  return { medianMs: sorted[RUNS >> 1], runsMs, workload: `Map of ${KEYS} string keys, ${LOOKUPS} seeded lookups, sort of ${SORTED} floats; median of ${RUNS}` }
}

/** Measured figure × this factor = the figure scaled to the reference machine (1 when there is no reference). */
export function scaleToReference(calibration: Calibration | undefined): number {
  if (calibration === undefined || REFERENCE_CALIBRATION_MS <= 0 || calibration.medianMs <= 0) return NaN
  return REFERENCE_CALIBRATION_MS / calibration.medianMs
}

if (process.argv[1] === import.meta.filename) {
  const c = measureCalibration()
  process.stdout.write(`${JSON.stringify({ ...c, reference: REFERENCE_CALIBRATION_MS, factor: scaleToReference(c) })}\n`)
}
