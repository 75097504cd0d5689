// A file with one passing and one failing test (used by test/run.test.ts).
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('fixture/fails')
test('passes', () => assert.is(1, 1))
test('fails', () => assert.is(1, 2))
test.run()
