// Issue 19, item 7: building an error message never throws, whatever a
// client sent (values nested thousands deep made JSON.stringify throw
// RangeError and left a half-applied batch), and every check runs before
// anything applies.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory, UserDirectoryError } from '../../src/index.js'
import type { StateDelta } from '../../src/index.js'
import { describeValue } from '../../src/describe-value.js'
import { start } from '../http/harness.js'

const test = suite('faults/hostile-values')

const DEPTH = 20_000
function deepArray(depth = DEPTH): unknown {
  let value: unknown = []
  for (let i = 0; i < depth; i++) value = [value]
  return value
}
function deepObject(depth = DEPTH): unknown {
  let value: unknown = {}
  for (let i = 0; i < depth; i++) value = { a: value }
  return value
}

const join = (room: string, user: string): StateDelta => ({ room_id: room, type: 'm.room.member', state_key: user, content: { membership: 'join' } })

async function rejection(promise: Promise<unknown>): Promise<UserDirectoryError> {
  try {
    await promise
  } catch (error) {
    assert.instance(error, UserDirectoryError)
    return error as UserDirectoryError
  }
  throw new Error('expected a UserDirectoryError')
}

test('describeValue: JSON for small values, bounded for deep, wide, long or hostile ones, and never throws', () => {
  assert.is(describeValue({ a: [1, 'x', null] }), '{"a":[1,"x",null]}')
  assert.is(describeValue(undefined), 'undefined')
  assert.ok(describeValue(deepArray()).length <= 160)
  assert.ok(describeValue(deepObject()).length <= 160)
  assert.ok(describeValue(new Array(1_000_000).fill(1)).length <= 160)
  assert.ok(describeValue('x'.repeat(1_000_000)).length <= 160)
  const hostile = new Proxy({}, { ownKeys: () => { throw new Error('no') } })
  assert.is(describeValue(hostile), 'an object')
  assert.is(describeValue(Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('getter') } })), 'an object')
})

test('deltas holding values nested 20,000 deep are skipped with a short reason; the rest of the batch applies', async () => {
  const dir = await UserDirectory.open({ serverName: 'test', warmSearch: false })
  await dir.registerLocalUser('@a:test')
  await dir.registerLocalUser('@b:test')
  const hostile = [
    deepArray(),
    { room_id: deepObject(), type: 'm.room.member', state_key: '@a:test', content: { membership: 'join' } },
    { room_id: '!r:test', type: deepArray(), state_key: '', content: {} },
    { room_id: '!r:test', type: 'm.room.member', state_key: deepObject(), content: { membership: 'join' } },
    { room_id: '!r:test', type: 'm.room.member', state_key: '@b:test', content: deepArray() },
    { room_id: '!r:test', type: 'm.room.member', state_key: '@b:test', content: { membership: deepObject() } },
    { room_id: '!r:test', type: 'm.room.join_rules', state_key: '', content: { join_rule: deepArray() } },
  ]
  const report = await dir.ingest([join('!r:test', '@a:test'), ...(hostile as StateDelta[]), join('!r:test', '@b:test')], { position: 4 })
  assert.equal(report.skipped.map((s) => s.index), hostile.map((_, i) => i + 1))
  for (const skipped of report.skipped) assert.ok(skipped.message.length < 300, skipped.message)
  assert.is(report.applied, 2)
  assert.equal(dir.importAccess.roomState('!r:test')?.joined.size, 2)
  assert.is(dir.streamPosition(), 4)
  await dir.close()
})

test('arguments nested 20,000 deep are refused with M_INVALID_PARAM before anything changes', async () => {
  const dir = await UserDirectory.open({ serverName: 'test', warmSearch: false })
  await dir.registerLocalUser('@a:test')
  const before = dir.tables()
  for (const call of [
    () => dir.registerLocalUser('@a:test', { userType: deepArray() as string }),
    () => dir.registerLocalUser('@a:test', { deactivated: deepObject() as boolean }),
    () => dir.setUserLocked('@a:test', deepArray() as boolean),
    () => dir.registerLocalUser(deepObject() as string),
    () => dir.ingest([join('!r:test', '@a:test')], { position: deepArray() as number }),
    () => dir.search('@a:test', 'a', deepObject() as number),
  ]) {
    const error = await rejection(call())
    assert.is(error.errcode, 'M_INVALID_PARAM')
    assert.ok(error.message.length < 300, error.message)
  }
  assert.equal(dir.tables(), before)
  assert.is(dir.importAccess.roomState('!r:test'), null)
  await dir.close()
})

test('admin deltas route: a batch with a value nested 20,000 deep answers 200 with it skipped, and is applied whole', async () => {
  const dir = await UserDirectory.open({ serverName: 'test', warmSearch: false })
  await dir.registerLocalUser('@a:test')
  const running = await start(dir, { adminToken: 'admin' })
  try {
    const raw = `{"deltas":[${JSON.stringify(join('!r:test', '@a:test'))},{"room_id":"!r:test","type":"m.room.member","state_key":"@x:remote","content":{"membership":${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}],"transaction_id":"deep"}`
    const response = await running.request('POST', '/_userdir/admin/v1/deltas', { token: 'admin', raw })
    assert.is(response.status, 200, JSON.stringify(response.body).slice(0, 300))
    assert.is(response.body.applied, 1)
    assert.is(response.body.skipped.length, 1)
    assert.equal(dir.importAccess.roomState('!r:test')?.joined.size, 1)
  } finally {
    await running.stop()
    await dir.close()
  }
})

test.run()
