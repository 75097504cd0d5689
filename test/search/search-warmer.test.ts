import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory } from '../../src/index.js'

const test = suite('src/search/search-warmer.ts')
const NAMES = ['Maria', 'Mario', 'Marta', 'Bob', 'Alexandra', 'Ben']

async function directory(count: number, clock?: FakeClock): Promise<UserDirectory> {
  const dir = await UserDirectory.open({ serverName: 'test', searchAllUsers: true, ...(clock === undefined ? {} : { clock }) })
  await dir.batch(async () => {
    for (let n = 0; n < count; n++) {
      const userId = `@u${n}:test`
      await dir.registerLocalUser(userId)
      await dir.handleLocalProfileChange(userId, { displayName: `${NAMES[n % NAMES.length]} ${n % 7}`, avatarUrl: n % 2 === 0 ? 'mxc://a/b' : null })
    }
  })
  return dir
}

const TERMS = ['m', 'ma', 'mar', 'mari', 'maria', 'b', 'u', 'u1', 'test', 'alexandra', 'maria 3', 'x']

async function pages(dir: UserDirectory): Promise<unknown[]> {
  const out: unknown[] = []
  for (const term of TERMS) out.push(await dir.search('@u1:test', term, 10, { explain: true }))
  return out
}

test('warmSearch ranks the frequent prefixes; searches answer the same with and without them', async () => {
  const dir = await directory(6000)
  const report = await dir.warmSearch()
  assert.not.ok(report.cancelled)
  // 'u', 't'…'test' (everyone), 'm'…'mar' (3,000), 'mari' (2,000), 'maria', 'mario', 'marta', 'b' (2,000), 'a'…'alexandra', 'be', 'ben', 'bo', 'bob'.
  assert.ok(report.lexemes >= 20 && report.lexemes <= 40, String(report.lexemes))
  assert.is(report.built, report.lexemes)
  assert.ok(report.entries > 0)
  assert.is((await dir.warmSearch()).built, 0, 'a second plan finds every ranking current')
  const warm = await pages(dir)
  dir.clearSearchCache({ pinned: true })
  assert.equal(await pages(dir), warm)
  await dir.close()
})

test('after a burst of changes goes quiet, stale pinned rankings are rebuilt in the background', async () => {
  const clock = new FakeClock()
  const dir = await directory(3000, clock)
  // The directory grew from nothing: once quiet for a second, a warm-up is planned and runs.
  await clock.advance(1000)
  const planned = await dir.warmSearch()
  assert.ok(planned.lexemes > 0 && planned.entries > 0)
  assert.is(planned.built, 0, 'the background warm-up ranked everything already')
  // 600 avatar changes (same names, so the same frequent prefixes): more changes than a pinned head can be patched with.
  let round = 0
  const rename = async (from: number): Promise<void> => {
    round++
    for (let n = from; n < from + 600; n++) await dir.handleLocalProfileChange(`@u${n}:test`, { displayName: `${NAMES[n % NAMES.length]} ${n % 7}`, avatarUrl: `mxc://a/${round}` })
  }
  await rename(0)
  await clock.advance(1000)
  const afterQuiet = await dir.warmSearch()
  assert.is(afterQuiet.built, 0, 'the refresh after the burst rebuilt the stale rankings')
  // Control: without the quiet period, the stale rankings are still there to rebuild.
  await rename(1000)
  const noQuiet = await dir.warmSearch()
  assert.ok(noQuiet.built > 0, `${noQuiet.built} of ${noQuiet.lexemes}`)
  const warm = await pages(dir)
  dir.clearSearchCache({ pinned: true })
  assert.equal(await pages(dir), warm)
  await dir.close()
})

test('close() stops a warm-up in progress; warmSearch after close throws', async () => {
  const dir = await directory(3000)
  const running = dir.warmSearch()
  await dir.close()
  assert.ok((await running).cancelled)
  assert.throws(() => dir.warmSearch(), /closed/)
})

test.run()
