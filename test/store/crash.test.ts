import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LmdbStore } from '../../src/store/index.js'
import { CRASH_KILLS, CRASH_LANES, CRASH_SEED, runAndKill, seededRandom } from './crash-harness.js'
import { StoreModel, numberedBatch, plain, tempDir } from './store-fixtures.js'

const test = suite('src/store/lmdb-store.ts: crash')
const child = join(import.meta.dirname, 'crash-child.ts')

/** Crashes one store `count` times, checking it after each kill against a model fed the same batches. */
async function crashLane(lane: number, count: number): Promise<void> {
  const made = tempDir()
  const next = seededRandom(CRASH_SEED + lane)
  const model = new StoreModel()
  let modelPosition = 0
  try {
    for (let kill = 0; kill < count; kill++) {
      const run = await runAndKill(child, made.path, 1 + Math.floor(next() * 25))
      const context = `lane ${lane}, kill ${kill + 1}, seed ${CRASH_SEED} (USERDIR_CRASH_SEED replays it)`
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

test(`the store after ${CRASH_KILLS} SIGKILLs mid-stream holds exactly batches 1..position, and position ≥ the last acknowledged`, async () => {
  const perLane = Math.ceil(CRASH_KILLS / CRASH_LANES)
  await Promise.all(Array.from({ length: CRASH_LANES }, (_, lane) => crashLane(lane, perLane)))
})

test.run()
