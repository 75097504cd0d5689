import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { LOCAL_USERS, directoryBatch } from './directory-batches.js'
import { tempDir } from './store-fixtures.js'

const test = suite('src/store: crash through UserDirectory')
const child = join(import.meta.dirname, 'directory-crash-child.ts')
const kills = Number(process.env.USERDIR_CRASH_KILLS ?? 20)
const seed = Number(process.env.USERDIR_CRASH_SEED ?? Date.now() % 1_000_000)
// Children start in ~0.7 s (tsx, lmdb, pino, flexsearch): two directories are crashed side by side.
const lanes = 2

function random(seedValue: number): () => number {
  let state = seedValue >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

function runAndKill(path: string, acks: number): Promise<{ lastAck: number; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, path], { stdio: ['ignore', 'pipe', 'pipe'] })
    let lastAck = 0
    let seen = 0
    let pending = ''
    let stderr = ''
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    proc.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        lastAck = Number(line)
        seen++
      }
      if (seen >= acks) proc.kill('SIGKILL')
    })
    proc.on('error', reject)
    proc.on('close', (_code, signal) => resolve({ lastAck, signal, stderr }))
  })
}

async function crashLane(lane: number, count: number): Promise<void> {
  const made = tempDir('userdir-dircrash-')
  const next = random(seed + lane)
  const reference = await UserDirectory.open({ serverName: 'test', clock: new FakeClock() })
  for (const userId of LOCAL_USERS) await reference.registerLocalUser(userId, {})
  let referencePosition = 0
  try {
    for (let kill = 0; kill < count; kill++) {
      const run = await runAndKill(made.path, 1 + Math.floor(next() * 25))
      const context = `lane ${lane}, kill ${kill + 1}, seed ${seed} (USERDIR_CRASH_SEED replays it)`
      assert.is(run.signal, 'SIGKILL', `${context}: the child ended by itself: ${run.stderr}`)
      const reopened = await UserDirectory.open({ serverName: 'test', path: made.path, clock: new FakeClock() })
      try {
        const position = reopened.streamPosition() ?? 0
        assert.ok(position >= run.lastAck, `${context}: stream position ${position} < acknowledged ${run.lastAck}`)
        while (referencePosition < position) {
          referencePosition++
          await reference.ingest(directoryBatch(referencePosition), { position: referencePosition })
        }
        assert.equal(reopened.tables(), reference.tables(), `${context}: tables differ from batches 1..${position}`)
      } finally {
        await reopened.close()
      }
    }
  } finally {
    await reference.close()
    made.remove()
  }
}

test(`a directory SIGKILLed ${kills} times while ingesting reopens with the tables of batches 1..streamPosition(), and streamPosition() ≥ the last acknowledged`, async () => {
  const perLane = Math.ceil(kills / lanes)
  await Promise.all(Array.from({ length: lanes }, (_, lane) => crashLane(lane, perLane)))
})

test.run()
