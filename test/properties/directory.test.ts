import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LOCALS, history, propertyRuns } from '../arbitraries/operations.js'
import type { Operation } from '../arbitraries/operations.js'
import { applyOperation, createWorld, rebuildFromFinalState } from './driver.js'
import type { World } from './driver.js'

const test = suite('properties/directory')
const RUNS = propertyRuns()
const TERMS = ['l', 'l1', 'l4', 'r', 'r0', 'remote', 'alice', 'bob', 'émile', 'иван', 'user-71', 'test', 'a s']
const LIMIT = 3

function localsOnly<T>(users: Map<string, T>): [string, T][] {
  return [...users].filter(([userId]) => userId.endsWith(':test'))
}

async function checkTables(world: World, step: string): Promise<void> {
  const tables = world.hs.tables()
  const model = world.model.relations()
  assert.equal(tables.inPublicRooms, model.inPublicRooms, `inPublicRooms vs model after ${step}`)
  assert.equal(tables.sharePrivateRooms, model.sharePrivateRooms, `sharePrivateRooms vs model after ${step}`)
  assert.equal([...tables.users], [...world.model.entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)), `users vs model after ${step}`)
  assert.equal(tables.staleRemoteUsers.map((s) => s.userId), [...world.model.stale].sort(), `stale vs model after ${step}`)
  // A fresh engine fed only the final state computes the same relations and
  // local entries. (Remote entries legitimately differ: they keep the
  // profile collected when it was public, which the final state may not show.)
  const fresh = await rebuildFromFinalState(world)
  const rebuilt = fresh.tables()
  assert.equal(rebuilt.inPublicRooms, tables.inPublicRooms, `inPublicRooms vs a rebuild after ${step}`)
  assert.equal(rebuilt.sharePrivateRooms, tables.sharePrivateRooms, `sharePrivateRooms vs a rebuild after ${step}`)
  assert.equal(localsOnly(rebuilt.users), localsOnly(tables.users), `local entries vs a rebuild after ${step}`)
  // And rebuild() in place (a recount of every derived counter) changes
  // neither the tables nor what anyone can find.
  const before = await everySearch(world)
  await world.hs.directory.rebuild()
  assert.equal(world.hs.tables(), tables, `rebuild() changed the tables after ${step}`)
  assert.equal(await everySearch(world), before, `rebuild() changed search results after ${step}`)
}

async function everySearch(world: World): Promise<unknown[]> {
  const out: unknown[] = []
  for (const requester of world.registered) for (const term of ['l', 'r', 'alice']) out.push(await world.hs.search(requester, term, 50))
  return out
}

async function checkSearches(world: World, step: string): Promise<void> {
  const { model } = world
  for (const requester of world.registered) {
    for (const term of TERMS) {
      const { results, limited } = await world.hs.search(requester, term, LIMIT, { explain: true })
      assert.ok(results.length <= LIMIT, `at most limit results after ${step}`)
      if (results.length < LIMIT) assert.not.ok(limited, `limited only when the page is full after ${step}`)
      for (let i = 0; i < results.length; i++) {
        const { user_id: userId } = results[i]
        const where = `${requester} searching ${JSON.stringify(term)} got ${userId} after ${step}`
        assert.ok(model.entries.has(userId), `in the directory: ${where}`)
        assert.ok(model.isIncluded(userId), `not excluded: ${where}`)
        assert.not.ok(model.users.get(userId)?.locked === true, `not locked: ${where}`)
        assert.ok(model.canSee(requester, userId), `visible: ${where}`)
        if (i > 0) assert.ok((results[i - 1].score ?? 0) >= (results[i].score ?? 0), `ranking order: ${where}`)
      }
    }
    // Completeness: every visible, unlocked local user is found by their own localpart.
    for (const localpart of LOCALS) {
      const userId = `@${localpart}:test`
      if (!model.entries.has(userId) || model.users.get(userId)?.locked || !model.canSee(requester, userId)) continue
      const { results } = await world.hs.search(requester, localpart, 50)
      assert.ok(results.some((r) => r.user_id === userId), `${requester} finds ${userId} by its localpart after ${step}`)
    }
  }
}

async function run(operations: Operation[], check: (world: World, step: string) => Promise<void>): Promise<void> {
  const world = await createWorld()
  for (let i = 0; i < operations.length; i++) {
    await applyOperation(world, operations[i])
    await check(world, `step ${i}: ${JSON.stringify(operations[i])}`)
  }
}

test('incremental state equals the reference model and a rebuild, after every step', async () => {
  await fc.assert(fc.asyncProperty(history(), (ops) => run(ops, checkTables)), { numRuns: RUNS })
})

test('search never returns an invisible, excluded or locked user, and respects limit and order', async () => {
  await fc.assert(fc.asyncProperty(history(), (ops) => run(ops, checkSearches)), { numRuns: RUNS })
})

test('replaying the same history gives identical tables and results', async () => {
  await fc.assert(
    fc.asyncProperty(history(), async (ops) => {
      const outputs: unknown[][] = [[], []]
      for (const output of outputs) {
        await run(ops, async (world) => {
          output.push(world.hs.tables())
          for (const requester of world.registered) output.push(await world.hs.search(requester, 'l', 10, { explain: true }))
        })
      }
      assert.equal(outputs[1], outputs[0])
    }),
    { numRuns: RUNS },
  )
})

test.run()
