// A file whose two tests pass (used by test/run.test.ts).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('fixture/passes')
test('one', () => assert.is(1, 1))
test('two', () => assert.ok(true))
test.run()
