import type { Logger } from 'pino'
import type { Clock } from '../clock.js'
import type { ImportStatus } from './options.js'

/** Rates and time left, derived from successive statuses. */
export interface ProgressFigures {
  elapsedMs: number
  /** Users per second over this run's users phase, or null before any. */
  usersPerSecond: number | null
  roomsPerSecond: number | null
  /** Time left at the current rates, or null while a rate or a total is unknown. */
  etaMs: number | null
}

/**
 * Follows an import's statuses and turns them into figures and text: a
 * redrawn bar on a TTY, a log line every `intervalMs` otherwise, and a
 * summary at the end.
 */
export class ImportProgress {
  readonly #clock: Pick<Clock, 'now'>
  readonly #intervalMs: number
  readonly #write: ((text: string) => void) | null
  readonly #logger: Logger | null
  // Where each phase started (time, count), so rates exclude resumed work.
  #users: PhaseClock | null = null
  #rooms: PhaseClock | null = null
  #lastOutputMs = -Infinity
  #lastPhase: ImportStatus['phase'] | null = null

  /** `tty.write` redraws a bar (stderr of a terminal); otherwise `logger` gets a line each `intervalMs`. */
  constructor(options: { clock: Pick<Clock, 'now'>; intervalMs: number; tty?: { write(text: string): void }; logger?: Logger }) {
    this.#clock = options.clock
    this.#intervalMs = options.intervalMs
    this.#write = options.tty === undefined ? null : (text) => options.tty?.write(text)
    this.#logger = options.logger ?? null
  }

  /** Takes a status (from `ImportOptions.onProgress`) and draws or logs when due. */
  update(status: ImportStatus): void {
    const nowMs = this.#clock.now()
    this.#track(status, nowMs)
    const phaseChanged = status.phase !== this.#lastPhase
    this.#lastPhase = status.phase
    const ended = status.phase === 'done' || status.phase === 'failed' || status.phase === 'aborted'
    if (this.#write !== null) {
      if (!ended && nowMs - this.#lastOutputMs < 100 && !phaseChanged) return
      this.#lastOutputMs = nowMs
      this.#write(`\r\u001b[2K${formatProgressLine(status, this.figures(status, nowMs), true)}${ended ? '\n' : ''}`)
      return
    }
    if (ended || (!phaseChanged && nowMs - this.#lastOutputMs < this.#intervalMs)) return
    this.#lastOutputMs = nowMs
    const figures = this.figures(status, nowMs)
    this.#logger?.info({ phase: status.phase, users: status.usersDone, users_total: status.usersTotal, rooms: status.roomsDone, rooms_total: status.roomsTotal, ...roundFigures(figures) }, formatProgressLine(status, figures, false))
  }

  /** The figures for a status at `nowMs`. */
  figures(status: ImportStatus, nowMs: number): ProgressFigures {
    const usersPerSecond = rate(this.#users)
    const roomsPerSecond = rate(this.#rooms)
    let etaMs: number | null = null
    const usersLeft = status.usersTotal === null ? null : Math.max(0, status.usersTotal - status.usersDone)
    const roomsLeft = status.roomsTotal === null ? null : Math.max(0, status.roomsTotal - status.roomsDone)
    if (status.phase === 'users' && usersLeft !== null && usersPerSecond !== null) {
      // Rooms are not counted yet: the ETA covers the users phase only until the room total is known.
      etaMs = (usersLeft / usersPerSecond) * 1000
    } else if (status.phase === 'rooms' && roomsLeft !== null && roomsPerSecond !== null) {
      etaMs = (roomsLeft / roomsPerSecond) * 1000
    } else if (status.phase === 'done') {
      etaMs = 0
    }
    return { elapsedMs: nowMs - status.startedAtMs, usersPerSecond, roomsPerSecond, etaMs }
  }

  #track(status: ImportStatus, nowMs: number): void {
    if (status.phase === 'users') this.#users = advance(this.#users, status.usersDone, nowMs)
    if (status.phase === 'rooms') this.#rooms = advance(this.#rooms, status.roomsDone, nowMs)
  }
}

type PhaseClock = { atMs: number; from: number; lastMs: number; last: number }

function advance(phase: PhaseClock | null, done: number, nowMs: number): PhaseClock {
  return phase === null ? { atMs: nowMs, from: done, lastMs: nowMs, last: done } : { ...phase, lastMs: nowMs, last: done }
}

function rate(phase: PhaseClock | null): number | null {
  if (phase === null || phase.lastMs <= phase.atMs || phase.last <= phase.from) return null
  return ((phase.last - phase.from) * 1000) / (phase.lastMs - phase.atMs)
}

function roundFigures(figures: ProgressFigures): Record<string, number | null> {
  return {
    elapsed_ms: figures.elapsedMs,
    users_per_second: figures.usersPerSecond === null ? null : Math.round(figures.usersPerSecond),
    rooms_per_second: figures.roomsPerSecond === null ? null : Math.round(figures.roomsPerSecond),
    eta_ms: figures.etaMs === null ? null : Math.round(figures.etaMs),
  }
}

/** One line: `users ███████░░░ 3,400/5,000 · rooms 0/? · 612 users/s · ETA 0:03`; with `bar` false, no bar. */
function formatProgressLine(status: ImportStatus, figures: ProgressFigures, bar: boolean): string {
  const count = (done: number, total: number | null): string => `${done.toLocaleString('en-US')}/${total === null ? '?' : total.toLocaleString('en-US')}`
  const parts = [`${status.mode}: users ${bar && status.phase === 'users' ? `${drawBar(status.usersDone, status.usersTotal)} ` : ''}${count(status.usersDone, status.usersTotal)}`]
  parts.push(`rooms ${bar && status.phase === 'rooms' ? `${drawBar(status.roomsDone, status.roomsTotal)} ` : ''}${count(status.roomsDone, status.roomsTotal)}`)
  if (figures.usersPerSecond !== null) parts.push(`${Math.round(figures.usersPerSecond).toLocaleString('en-US')} users/s`)
  if (figures.roomsPerSecond !== null) parts.push(`${Math.round(figures.roomsPerSecond).toLocaleString('en-US')} rooms/s`)
  if (status.phase === 'users' || status.phase === 'rooms') parts.push(`ETA ${figures.etaMs === null ? '?' : formatDuration(figures.etaMs)}${status.phase === 'users' ? ' (users)' : ''}`)
  else parts.push(status.phase)
  if (status.retries > 0) parts.push(`${status.retries} retries`)
  return parts.join(' · ')
}

/** The end-of-run summary, one line per fact. */
export function formatSummary(status: ImportStatus, figures: ProgressFigures): string[] {
  const { changes } = status
  const verb = status.mode === 'reconcile' ? 'differences fixed' : 'changes applied'
  const lines = [
    `${status.mode} ${status.phase} in ${formatDuration(figures.elapsedMs)}${status.resumed ? ' (resumed an interrupted import)' : ''}`,
    `  ${n(status.usersDone)} users, ${n(status.roomsDone)} rooms read in ${n(status.pages)} pages, ${n(status.retries)} requests retried`,
    `  ${verb}: ${n(changes.users)} user registrations, ${n(changes.profiles)} profiles, ${n(changes.rooms)} rooms`,
  ]
  if (status.error !== null) lines.push(`  error: ${status.error}`)
  if (status.warnings.length > 0) {
    lines.push(`  ${status.warnings.length}${status.warnings.length >= 100 ? '+' : ''} warnings:`)
    for (const warning of status.warnings.slice(0, 10)) lines.push(`    ${warning}`)
    if (status.warnings.length > 10) lines.push('    … (all in the log)')
  }
  return lines
}

function n(count: number): string {
  return count.toLocaleString('en-US')
}

function drawBar(done: number, total: number | null): string {
  const width = 20
  const filled = total === null || total === 0 ? 0 : Math.min(width, Math.round((done / total) * width))
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`
}

/** `m:ss`, or `h:mm:ss` past an hour. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const s = String(total % 60).padStart(2, '0')
  const m = Math.floor(total / 60) % 60
  const h = Math.floor(total / 3600)
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`
}
