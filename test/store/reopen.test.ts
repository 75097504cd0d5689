import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { LOCALS, history, propertyRuns } from '../arbitraries/operations.js'
import type { Operation } from '../arbitraries/operations.js'
import { APPSERVICES, applyOperation, createWorld } from '../properties/driver.js'
import { tempDir } from './store-fixtures.js'

const test = suite('src/store: reopen through UserDirectory')
const RUNS = propertyRuns(200)
const TERMS = ['', 'l', 'l1', 'r', 'r0', 'remote', 'alice', 'bob', 'émile', 'иван', 'user-71', 'test', 'a s']

/** What anyone can find: every local user's search for every term. */
async function everySearch(dir: UserDirectory): Promise<unknown[]> {
  const pages: unknown[] = []
  for (const local of LOCALS) {
    for (const term of TERMS) pages.push(await dir.search(`@${local}:test`, term, 5))
  }
  return pages
}

test('reopened state equals in-memory state: tables, stream position and search after close and reopen', async () => {
  await fc.assert(
    fc.asyncProperty(history(30), async (operations: Operation[]) => {
      const made = tempDir('userdir-reopen-')
      const persistent = await createWorld({ path: made.path })
      const memory = await createWorld()
      try {
        for (const op of operations) {
          await applyOperation(persistent, op)
          await applyOperation(memory, op)
        }
        await persistent.hs.close()
        const reopened = await UserDirectory.open({ serverName: 'test', appservices: APPSERVICES, path: made.path, clock: new FakeClock() })
        try {
          assert.equal(reopened.tables(), memory.hs.tables(), 'tables')
          assert.is(reopened.streamPosition(), memory.hs.directory.streamPosition(), 'streamPosition')
          assert.equal(await everySearch(reopened), await everySearch(memory.hs.directory), 'search results')
        } finally {
          await reopened.close()
        }
      } finally {
        await memory.hs.close()
        made.remove()
      }
    }),
    { numRuns: RUNS },
  )
})

test.run()
