import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { CRASH_KILLS, CRASH_LANES, CRASH_SEED, runAndKill, seededRandom } from './crash-harness.js'
import { LOCAL_USERS, directoryBatch } from './directory-batches.js'
import { tempDir } from './store-fixtures.js'

const test = suite('src/store: crash through UserDirectory')
const child = join(import.meta.dirname, 'directory-crash-child.ts')

/** Crashes one persistent directory `count` times, comparing it after each kill with an in-memory one fed the same batches. */
async function crashLane(lane: number, count: number): Promise<void> {
  const made = tempDir('userdir-dircrash-')
  const next = seededRandom(CRASH_SEED + lane)
  const reference = await UserDirectory.open({ serverName: 'test', clock: new FakeClock() })
  for (const userId of LOCAL_USERS) await reference.registerLocalUser(userId, {})
  let referencePosition = 0
  try {
    for (let kill = 0; kill < count; kill++) {
      const run = await runAndKill(child, made.path, 1 + Math.floor(next() * 25))
      const context = `lane ${lane}, kill ${kill + 1}, seed ${CRASH_SEED} (USERDIR_CRASH_SEED replays it)`
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

test(`a directory SIGKILLed ${CRASH_KILLS} times while ingesting reopens with the tables of batches 1..streamPosition(), and streamPosition() ≥ the last acknowledged`, async () => {
  const perLane = Math.ceil(CRASH_KILLS / CRASH_LANES)
  await Promise.all(Array.from({ length: CRASH_LANES }, (_, lane) => crashLane(lane, perLane)))
})

test.run()
