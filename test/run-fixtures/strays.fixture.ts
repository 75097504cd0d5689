// A file whose only test passes but leaves a rejection nobody handles
// (used by test/run.test.ts).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('fixture/strays')
test('passes and leaves a stray rejection', () => {
  void Promise.reject(new Error('stray'))
  assert.ok(true)
})
test.run()
