import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LmdbStore } from '../../src/store/index.js'
import { StoreModel, numberedBatch, plain, tempDir } from './store-fixtures.js'

const test = suite('src/store/lmdb-store.ts: crash')
const child = join(import.meta.dirname, 'crash-child.ts')
const kills = Number(process.env.USERDIR_CRASH_KILLS ?? 20)
const seed = Number(process.env.USERDIR_CRASH_SEED ?? Date.now() % 1_000_000)

/** A small seeded generator (mulberry32), so a failure can be replayed with USERDIR_CRASH_SEED. */
function random(seedValue: number): () => number {
  let state = seedValue >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Runs the child until it has acknowledged `acks` positions, then SIGKILLs it; resolves with the last acknowledged position. */
function runAndKill(dir: string, acks: number): Promise<{ lastAck: number; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
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

// Children start in ~0.7 s (tsx, lmdb, pino): two stores are crashed side by side to keep the test short.
const lanes = 2

/** Crashes one store `count` times, checking it after each kill against a model fed the same batches. */
async function crashLane(lane: number, count: number): Promise<void> {
  const made = tempDir()
  const next = random(seed + lane)
  const model = new StoreModel()
  let modelPosition = 0
  try {
    for (let kill = 0; kill < count; kill++) {
      const acks = 1 + Math.floor(next() * 25)
      const run = await runAndKill(made.path, acks)
      const context = `lane ${lane}, kill ${kill + 1}, seed ${seed} (USERDIR_CRASH_SEED replays it)`
      assert.is(run.signal, 'SIGKILL', `${context}: the child ended by itself: ${run.stderr}`)
      const store = await LmdbStore.open(made.path)
      const state = store.load()
      await store.close()
      const position = state.position ?? 0
      assert.ok(position >= run.lastAck, `${context}: stored position ${position} < acknowledged ${run.lastAck}`)
      while (modelPosition < position) model.apply(numberedBatch(++modelPosition, 8))
      assert.equal(plain(state), plain(model.state()), `${context}: stored facts differ from batches 1..${position}`)
    }
  } finally {
    made.remove()
  }
}

test(`the store after ${kills} SIGKILLs mid-stream holds exactly batches 1..position, and position ≥ the last acknowledged`, async () => {
  const perLane = Math.ceil(kills / lanes)
  await Promise.all(Array.from({ length: lanes }, (_, lane) => crashLane(lane, perLane)))
})

test.run()
