import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ChangeLog } from '../../src/search/change-log.js'

const test = suite('src/search/change-log.ts')

test('each change bumps the version and stamps its id; changesSince lists the later ones in order', () => {
  const log = new ChangeLog()
  log.markChanged(3)
  log.markChanged(5000)
  log.markChanged(3)
  assert.is(log.version, 3)
  assert.is(log.changedAt(3), 3)
  assert.is(log.changedAt(5000), 2)
  assert.is(log.changedAt(4), 0, 'never changed')
  assert.is(log.changedAt(1 << 20), 0, 'beyond every id seen')
  assert.equal(log.changesSince(0), [3, 5000, 3])
  assert.equal(log.changesSince(1), [5000, 3])
  assert.equal(log.changesSince(3), [])
})

test('once the log drops its oldest half, changesSince a version before it is undefined (rebuild instead)', () => {
  const log = new ChangeLog()
  for (let n = 0; n <= 2 * 32768; n++) log.markChanged(n % 7)
  assert.is(log.changesSince(0), undefined)
  assert.is(log.changesSince(32767), undefined)
  assert.is(log.changesSince(32768)?.length, 32769)
})

test.run()
