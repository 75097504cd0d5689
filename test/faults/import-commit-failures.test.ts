// Issue 19, items 1 and 6 for the importer: each page (its users or rooms
// and its checkpoint) commits whole or leaves no trace. Imports run on a
// store that refuses commits on demand; after every failed attempt the
// directory equals a failure-free import stopped at the stored checkpoint,
// the store agrees with memory, and resuming finishes with the same tables
// as a clean import.
import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { CHECKPOINT_KEY, ImportError, runImport } from '../../src/import/index.js'
import type { ImportOptions } from '../../src/import/index.js'
import { LmdbStore } from '../../src/store/index.js'
import { propertyRuns } from '../arbitraries/operations.js'
import { ADMIN_TOKEN, FakeSynapse, SERVER_NAME } from '../import/fake-synapse.js'
import { FailingStore } from '../store/failing-store.js'
import { tempDir } from '../store/store-fixtures.js'

const test = suite('faults/import-commit-failures')
const RUNS = propertyRuns(6)
const PAGE_SIZE = 20
const START_MS = 1_700_000_000_000

let hs: FakeSynapse
// Tables of a failure-free import after each page, by the checkpoint stored with it.
const snapshots = new Map<string, ReturnType<UserDirectory['tables']>>()
let finalTables: ReturnType<UserDirectory['tables']>

function options(extra: Partial<ImportOptions> = {}): ImportOptions {
  return { homeserverUrl: hs.url, accessToken: ADMIN_TOKEN, pageSize: PAGE_SIZE, sleep: async () => {}, random: () => 0.5, clock: { now: () => START_MS }, ...extra }
}

function checkpointKey(dir: UserDirectory): string {
  const checkpoint = dir.importAccess.getMeta(CHECKPOINT_KEY) as { phase: string; usersDone: number; roomsDone: number } | undefined
  return checkpoint === undefined ? 'none' : `${checkpoint.phase}/${checkpoint.usersDone}/${checkpoint.roomsDone}`
}

test.before(async () => {
  hs = await new FakeSynapse({ users: 90, rooms: 50, seed: 11 }).start()
  const dir = await UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(START_MS), warmSearch: false })
  snapshots.set('none', dir.tables())
  await runImport({ directory: dir }, options({ afterPage: () => void snapshots.set(checkpointKey(dir), dir.tables()) }))
  finalTables = dir.tables()
  snapshots.set(checkpointKey(dir), finalTables)
  await dir.close()
})

test.after(async () => {
  await hs.stop()
})

test('imports under refused commits: after each failed attempt the directory is a clean import stopped at its checkpoint, and resuming ends as a clean import', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(2, 3, 4, 7), fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }), async (failEvery, refuse) => {
      const made = tempDir('userdir-faults-import-')
      try {
        const store = await FailingStore.open(made.path)
        const dir = await UserDirectory.openOnStore({ serverName: SERVER_NAME, clock: new FakeClock(START_MS), warmSearch: false }, store)
        let attempts = 0
        for (;;) {
          // Each attempt refuses every failEvery-th commit, or (`refuse`) none.
          store.failEvery = refuse[attempts % refuse.length] ? failEvery : 0
          store.commits = 0
          attempts++
          assert.ok(attempts < 60, 'the import finishes')
          try {
            await runImport({ directory: dir }, options())
            break
          } catch (error) {
            assert.instance(error, ImportError)
          }
          const key = checkpointKey(dir)
          const expected = snapshots.get(key)
          assert.ok(expected !== undefined, `checkpoint ${key} is one a clean import stores`)
          assert.equal(dir.tables(), expected, `after a failed attempt, the tables of a clean import at ${key}`)
        }
        assert.equal(dir.tables(), finalTables)
        await dir.close()
        const reopened = await UserDirectory.openOnStore({ serverName: SERVER_NAME, clock: new FakeClock(START_MS), warmSearch: false }, await LmdbStore.open(made.path))
        assert.equal(reopened.tables(), finalTables, 'the store holds what memory held')
        await reopened.close()
      } finally {
        made.remove()
      }
    }),
    { numRuns: RUNS },
  )
})

test.run()
