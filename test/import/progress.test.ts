import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ImportProgress, formatDuration, formatSummary } from '../../src/import/index.js'
import type { ImportStatus } from '../../src/import/index.js'

const test = suite('src/import/progress.ts')

function status(patch: Partial<ImportStatus>): ImportStatus {
  return {
    mode: 'import', phase: 'users', usersDone: 0, usersTotal: 5000, roomsDone: 0, roomsTotal: null, pages: 0, retries: 0,
    changes: { users: 0, profiles: 0, rooms: 0 }, startedAtMs: 0, finishedAtMs: null, resumed: false, warnings: [], error: null, ...patch,
  }
}

test('rates count only this run (a resumed import does not look faster) and the ETA follows the current phase', () => {
  let nowMs = 0
  const drawn: string[] = []
  const progress = new ImportProgress({ clock: { now: () => nowMs }, intervalMs: 10_000, tty: { write: (text) => drawn.push(text) } })
  progress.update(status({ usersDone: 2000 }))
  nowMs = 1000
  progress.update(status({ usersDone: 3000 }))
  const figures = progress.figures(status({ usersDone: 3000 }), nowMs)
  assert.is(figures.usersPerSecond, 1000)
  assert.is(figures.etaMs, 2000)
  assert.match(drawn[drawn.length - 1], /users █{12}░{8} 3,000\/5,000 · rooms 0\/\? · 1,000 users\/s · ETA 0:02 \(users\)$/)
})

test('without a TTY, progress is a log line at most every intervalMs', () => {
  let nowMs = 0
  const lines: string[] = []
  const logger = { info: (_: unknown, line: string) => void lines.push(line) } as unknown as import('pino').Logger
  const progress = new ImportProgress({ clock: { now: () => nowMs }, intervalMs: 10_000, logger })
  for (let i = 0; i < 50; i++) {
    nowMs += 1000
    progress.update(status({ usersDone: i * 100 }))
  }
  assert.is(lines.length, 5)
})

test('the summary gives counts, time and warnings', () => {
  const lines = formatSummary(status({ phase: 'done', usersDone: 4925, roomsDone: 1000, pages: 60, changes: { users: 4925, profiles: 3811, rooms: 874 }, warnings: ['room !x:hs is gone from the homeserver (404); removed here'] }), { elapsedMs: 125_000, usersPerSecond: null, roomsPerSecond: null, etaMs: 0 })
  assert.equal(lines, [
    'import done in 2:05',
    '  4,925 users, 1,000 rooms read in 60 pages, 0 requests retried',
    '  changes applied: 4,925 user registrations, 3,811 profiles, 874 rooms',
    '  1 warnings:',
    '    room !x:hs is gone from the homeserver (404); removed here',
  ])
  assert.is(formatDuration(3_725_000), '1:02:05')
})

test.run()
