import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../src/index.js'
import { DEMO_TOKEN, seedDemo } from '../../src/cli/index.js'

const test = suite('src/cli/demo.ts')

test('the demo seeds a few hundred users and some rooms, and the demo user finds people', async () => {
  const dir = await UserDirectory.open({ serverName: 'localhost' })
  const summary = await seedDemo(dir)
  assert.is(summary.token, DEMO_TOKEN)
  assert.is(summary.userId, '@demo:localhost')
  assert.ok(summary.localUsers >= 200)
  assert.ok(summary.rooms >= 5)
  assert.is(dir.stats().entries, summary.localUsers + summary.remoteUsers)
  const { results } = await dir.search(summary.userId, 'ali')
  assert.ok(results.length > 0)
  assert.match(results[0].display_name ?? '', /^Alice/)
  assert.ok((await dir.search(summary.userId, 'remote')).results.some((r) => !r.user_id.endsWith(':localhost')))
  await dir.close()
})

test('the demo is the same on every start', async () => {
  const tables = []
  for (let i = 0; i < 2; i++) {
    const dir = await UserDirectory.open({ serverName: 'localhost' })
    await seedDemo(dir, { localUsers: 40, rooms: 4 })
    tables.push(dir.tables())
    await dir.close()
  }
  assert.equal(tables[0], tables[1])
})

test.run()
