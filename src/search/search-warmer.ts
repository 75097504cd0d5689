import type { Logger } from 'pino'
import type { Clock } from '../clock.js'
import { FrequentPrefixes } from './frequent-prefixes.js'
import type { SearchIndex } from './search-index.js'
import type { Searcher } from './searcher.js'

/** What one warm-up did (see {@link SearchWarmer}). */
export interface SearchWarmReport {
  /** One-lexeme queries pinned (frequent prefixes). */
  lexemes: number
  /** Rankings built by this run (the others were current). */
  built: number
  /** Entries held by the pinned rankings (13 bytes each, plus 16 per list). */
  entries: number
  /** Wall-clock time of the run, slices and the searches between them included. */
  ms: number
  /** True when a newer run, a rebuild or `close()` stopped this one first. */
  cancelled: boolean
}

/** What the warmer reads from the directory. */
interface WarmHost {
  /** The current search index (replaced by a rebuild). */
  index(): SearchIndex
  readonly searcher: Searcher
  readonly preferLocal: boolean
}

// Queries listing fewer candidates than this are left to their first
// search, whose scoring is then short.
const DEFAULT_MIN_MATCHES = 1000
// Work between two yields to the event loop (one ranking is one unit, so a
// slice can run past it by one ranking: longest for a one-letter prefix,
// which lists most of the directory).
const SLICE_MS = 8
const COUNT_UNITS_PER_CHECK = 2048
// After the last change, this quiet time passes before stale pinned
// rankings are refreshed (or all re-planned, once the directory doubled).
const REFRESH_QUIET_MS = 1000
// After a warm-up failed (a bug: it only reads the index), the next try.
const RETRY_AFTER_FAILURE_MS = 30_000

/**
 * Ranks the frequent one-lexeme queries (first keystrokes: `b`, `ma`,
 * `maria`, the server name) in the background, so their first search walks
 * a ready ranking instead of scoring up to the whole directory: after
 * `open()` from a store, after `rebuild()`, when the directory has doubled
 * since the last plan, and on demand. It runs in slices of a few ms between
 * searches and other work. Pinned rankings stay current like every cached
 * one (patched from the index's change log); one too stale to patch is
 * rebuilt by its next search, or by the refresh that follows each burst of
 * changes (`noteChange`). Cost at 1M bench entries: ~2,000 rankings of at
 * most 1,024 entries each, ~27 MB (bench/RESULTS.md, which also gives the time).
 */
export class SearchWarmer {
  readonly #host: WarmHost
  readonly #logger: Logger
  readonly #clock: Clock
  readonly #minMatches: number
  // The run in progress, if any.
  #run: Promise<SearchWarmReport> | undefined
  // When the index last changed; the refresh timer waits for a quiet period after it.
  #lastChangeMs = 0
  #generation = 0
  // The last plan: its index, the index's size then, and the lexemes pinned there.
  #planned: { index: SearchIndex; size: number; lexemes: string[] } | undefined
  #timer: unknown

  constructor(host: WarmHost, clock: Clock, logger: Logger, minMatches = DEFAULT_MIN_MATCHES) {
    this.#host = host
    this.#clock = clock
    this.#logger = logger
    this.#minMatches = minMatches
  }

  /** The warm-up in progress, if any. */
  get running(): Promise<SearchWarmReport> | undefined {
    return this.#run
  }

  /** Plans the frequent lexemes afresh and ranks them; cancels a run in progress. */
  warm(): Promise<SearchWarmReport> {
    this.#cancelTimer()
    return this.#start(undefined)
  }

  // Plans and ranks, or with `lexemes` (the last plan's) re-ranks those too
  // stale to patch. Never rejects: a failure is logged, reported as
  // cancelled, and the next change (or a retry after RETRY_AFTER_FAILURE_MS) warms again.
  #start(lexemes: string[] | undefined): Promise<SearchWarmReport> {
    const generation = ++this.#generation
    const started = performance.now()
    const run = this.#warm(generation, lexemes)
      .catch((error: unknown): SearchWarmReport => {
        this.#logger.error({ err: error, retryInMs: RETRY_AFTER_FAILURE_MS }, 'search warm-up failed; searches still answer (unwarmed); trying again later')
        if (generation === this.#generation && this.#timer === undefined) this.#arm(RETRY_AFTER_FAILURE_MS)
        return { lexemes: 0, built: 0, entries: 0, ms: performance.now() - started, cancelled: true }
      })
      .finally(() => {
        if (this.#run === run) this.#run = undefined
      })
    this.#run = run
    return run
  }

  /** Stops any run and pending refresh and forgets the plan (a cancelled run resolves with `cancelled`). */
  cancel(): void {
    this.#generation++
    this.#run = undefined
    this.#cancelTimer()
    this.#planned = undefined
  }

  /** Call after changes reach the index: a refresh follows once they stop for a while. */
  noteChange(): void {
    this.#lastChangeMs = this.#clock.now()
    if (this.#timer === undefined) this.#arm(REFRESH_QUIET_MS)
  }

  #arm(delayMs: number): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined
      try {
        this.#onTimer()
      } catch (error) {
        this.#logger.error({ err: error }, 'search warm-up: planning a refresh failed')
      }
    }, delayMs)
  }

  #onTimer(): void {
    const quietFor = this.#clock.now() - this.#lastChangeMs
    if (quietFor < REFRESH_QUIET_MS) return this.#arm(REFRESH_QUIET_MS - quietFor)
    if (this.#run !== undefined) return this.#arm(REFRESH_QUIET_MS)
    const index = this.#host.index()
    const planned = this.#planned?.index === index ? this.#planned : undefined
    if (index.size >= this.#minMatches && index.size >= 2 * (planned?.size ?? 0)) void this.#start(undefined)
    else if (planned !== undefined) void this.#start(planned.lexemes)
  }

  #cancelTimer(): void {
    if (this.#timer === undefined) return
    this.#clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  async #warm(generation: number, planned: string[] | undefined): Promise<SearchWarmReport> {
    const start = performance.now()
    const index = this.#host.index()
    const report: SearchWarmReport = { lexemes: 0, built: 0, entries: 0, ms: 0, cancelled: false }
    const done = (): SearchWarmReport => {
      report.entries = this.#host.searcher.pinnedEntries
      report.ms = performance.now() - start
      return report
    }
    let lexemes = planned
    const plan = lexemes === undefined
    if (lexemes === undefined) {
      const size = index.size
      const count = new FrequentPrefixes(index, this.#minMatches)
      let complete = false
      while (!complete) {
        if (!(await this.#yield(generation))) return { ...done(), cancelled: true }
        const sliceEnd = performance.now() + SLICE_MS
        while (!complete && performance.now() < sliceEnd) complete = count.step(COUNT_UNITS_PER_CHECK)
      }
      lexemes = count.prefixes()
      this.#host.searcher.keepPinnedOnly(lexemes, this.#host.preferLocal)
      this.#planned = { index, size, lexemes }
      this.#logger.info({ lexemes: lexemes.length, entries: index.size, ms: Math.round(performance.now() - start) }, 'search warm-up: frequent prefixes counted, ranking them')
    }
    report.lexemes = lexemes.length
    let next = 0
    while (next < lexemes.length) {
      if (!(await this.#yield(generation)) || this.#host.index() !== index) return { ...done(), cancelled: true }
      const sliceEnd = performance.now() + SLICE_MS
      while (next < lexemes.length && performance.now() < sliceEnd) {
        if (this.#host.searcher.pin(index, lexemes[next++], this.#host.preferLocal)) report.built++
      }
    }
    if (plan || report.built > 0) this.#logger.info({ lexemes: lexemes.length, built: report.built, entries: this.#host.searcher.pinnedEntries, ms: Math.round(performance.now() - start) }, plan ? 'search warm-up done' : 'search warm-up: stale rankings refreshed')
    return done()
  }

  // Lets the event loop run; false if this run was cancelled meanwhile.
  async #yield(generation: number): Promise<boolean> {
    await new Promise<void>((resolve) => setImmediate(resolve))
    return generation === this.#generation
  }
}
