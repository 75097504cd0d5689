import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FakeClock, UserDirectory, UserDirectoryError } from '../../src/index.js'
import type { StateDelta } from '../../src/index.js'

const test = suite('directory/bad-input')

const join = (room: string, user: string, extra: Record<string, unknown> = {}): StateDelta => ({
  room_id: room, type: 'm.room.member', state_key: user, content: { membership: 'join', ...extra },
})

// One fake clock: directories compared with each other schedule stale-profile retries at the same times.
const clock = new FakeClock()

async function directory(): Promise<UserDirectory> {
  const dir = await UserDirectory.open({ serverName: 'test', clock })
  await dir.registerLocalUser('@alice:test')
  await dir.registerLocalUser('@bob:test')
  return dir
}

test('malformed deltas are skipped with a reason; the rest of the batch applies with its position', async () => {
  const dir = await directory()
  const malformed: unknown[] = [
    null,
    'not a delta',
    { room_id: 'no-sigil', type: 'm.room.member', state_key: '@x:test', content: { membership: 'join' } },
    { room_id: '!r:test', type: 'm.room.member', state_key: 'bob', content: { membership: 'join' } },
    { room_id: '!r:test', type: 'm.room.member', state_key: '@x:test', content: 'join' },
    { room_id: '!r:test', type: 'm.room.member', state_key: '@x:test', content: [] },
    { room_id: '!r:test', type: 'm.room.member', state_key: '@x:test', content: { membership: 5 } },
    { room_id: '!r:test', type: 'm.room.member', state_key: '@x:test', content: {} },
    { room_id: '!r:test', type: 'm.room.join_rules', state_key: '', content: { join_rule: ['public'] } },
    { room_id: '!r:test', type: 42, state_key: '', content: {} },
    { room_id: '!r:test', type: 'm.room.history_visibility', state_key: null, content: {} },
  ]
  const batch = [join('!r:test', '@alice:test'), ...malformed, join('!r:test', '@bob:test')] as StateDelta[]
  const report = await dir.ingest(batch, { position: 7 })
  assert.equal(report.skipped.map((s) => s.index), malformed.map((_, i) => i + 1))
  for (const skipped of report.skipped) assert.ok(skipped.message.length > 10, skipped.message)
  assert.match(report.skipped[2].message, /room id "no-sigil"/)
  assert.match(report.skipped[3].message, /user id "bob"/)
  assert.match(report.skipped[6].message, /membership must be a string/)
  assert.equal(report.applied, 2)
  assert.equal(dir.streamPosition(), 7)
  assert.equal(dir.tables().sharePrivateRooms, [['@alice:test', '@bob:test', '!r:test'], ['@bob:test', '@alice:test', '!r:test']])
})

test('a malformed delta leaves state exactly as the valid deltas alone would', async () => {
  const clean = await directory()
  const dirty = await directory()
  const valid = [join('!r:test', '@alice:test'), join('!r:test', '@remote:else', { displayname: 'R' })]
  await clean.ingest(valid)
  await dirty.ingest([valid[0], { room_id: '!r:test', type: 'm.room.member', state_key: '@remote:else', content: { membership: {} } } as unknown as StateDelta, valid[1]])
  assert.equal(dirty.tables(), clean.tables())
})

test('bad arguments throw UserDirectoryError naming the problem', async () => {
  const dir = await directory()
  const cases: [() => Promise<unknown>, RegExp][] = [
    [() => dir.registerLocalUser('alice'), /user id "alice"/],
    [() => dir.registerLocalUser('@alice:elsewhere'), /not a local user/],
    [() => dir.registerLocalUser('@alice:test', { deactivated: 'yes' as unknown as boolean }), /deactivated must be a boolean/],
    [() => dir.setUserLocked('@nobody:test', true), /not registered/],
    [() => dir.search('@alice:test', 5 as unknown as string), /search term must be a string/],
    [() => dir.search('@alice:test', 'a', -1), /limit/],
    [() => dir.search('@alice:test', 'a', 1.5), /limit/],
    [() => dir.search('nobody', 'a'), /user id/],
    [() => dir.ingest('x' as unknown as StateDelta[]), /deltas must be an array/],
    [() => dir.ingest([], { position: 1.5 }), /position must be an integer/],
    [() => UserDirectory.open({ serverName: '' }), /serverName/],
    [() => UserDirectory.open({ serverName: 'test', searchAllUsers: 'yes' as unknown as boolean }), /searchAllUsers must be a boolean/],
    [() => UserDirectory.open({ serverName: 'test', appservices: [{ id: 'bad', sender: '@s:test', namespaces: { users: [{ regex: '(' }] } }] }), /invalid users regex/],
  ]
  for (const [call, message] of cases) {
    try {
      await call()
      assert.unreachable(`expected ${message}`)
    } catch (error) {
      assert.instance(error, UserDirectoryError)
      assert.match((error as Error).message, message)
    }
  }
})

test('a batch whose id was already applied is not applied again', async () => {
  const dir = await directory()
  const first = await dir.ingest([join('!r:test', '@alice:test')], { transactionId: 't1' })
  assert.not.ok(first.duplicate)
  await dir.ingest([{ ...join('!r:test', '@alice:test'), content: { membership: 'leave' } }], { transactionId: 't2' })
  const again = await dir.ingest([join('!r:test', '@alice:test')], { transactionId: 't1' })
  assert.ok(again.duplicate)
  assert.equal(dir.stats().roomsWithLocalUsers, 0)
})

test.run()
