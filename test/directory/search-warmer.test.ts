import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../src/index.js'

const test = suite('src/directory/search-warmer.ts')
const NAMES = ['Maria', 'Mario', 'Marta', 'Bob', 'Alexandra', 'Ben']

async function directory(count: number): Promise<UserDirectory> {
  const dir = await UserDirectory.open({ serverName: 'test', searchAllUsers: true })
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

test('close() stops a warm-up in progress; warmSearch after close throws', async () => {
  const dir = await directory(3000)
  const running = dir.warmSearch()
  await dir.close()
  assert.ok((await running).cancelled)
  assert.throws(() => dir.warmSearch(), /closed/)
})

test.run()
