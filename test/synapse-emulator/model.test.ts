// Random homeserver histories (operations.ts) through the emulator: what it
// pushed and what its Admin API answers stay consistent the way Synapse's
// do. Every pushed change is the room's current state unless changed again;
// every joined local member's event carries their current global profile;
// transactions arrive once each, in order.
import fc from 'fast-check'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { bed, enc } from './fixture.js'
import { applyOperation, homeserverHistory } from './operations.js'

const RUNS = 100

test(`random histories: pushes and Admin API answers agree (${RUNS} runs)`, async () => {
  let applied = 0
  await fc.assert(
    fc.asyncProperty(homeserverHistory(25), async (history) => {
      const { emu, as, get, close } = await bed({ partDelayMs: 0 })
      try {
        // A room every local member left misses what happens meanwhile; the
        // rejoin brings the room's state but pushes only the join (as a first
        // federated join does), so there the last push need not be current.
        const outForAWhile = new Set<string>()
        for (const operation of history) {
          if (applyOperation(emu, operation)) applied++
          for (const [roomId, room] of emu.rooms) {
            const localJoined = room.state.some((e) => e.type === 'm.room.member' && emu.isLocal(e.state_key) && e.content.membership === 'join')
            if (room.known && !localJoined) outForAWhile.add(roomId)
          }
        }
        await emu.delivered()
        const ids = as.received.map((t) => Number(t.txnId))
        assert.equal(ids, ids.map((_, i) => i + 1), 'transaction ids 1, 2, 3… each once')
        const pushed = as.events()
        for (const [roomId, room] of emu.rooms) {
          if (!room.known) {
            assert.not.ok(pushed.some((e) => e.room_id === roomId), 'nothing from a room this server never joined')
            continue
          }
          const state = (await get(`/_synapse/admin/v1/rooms/${enc(roomId)}/state`)).body.state as { type: string; state_key: string; content: unknown }[]
          const current = new Map(state.map((e) => [`${e.type}|${e.state_key}`, e.content]))
          const lastPushed = new Map(pushed.filter((e) => e.room_id === roomId).map((e) => [`${String(e.type)}|${String(e.state_key)}`, e.content]))
          if (!outForAWhile.has(roomId)) {
            for (const [key, content] of lastPushed) assert.equal(current.get(key), content, `${roomId} ${key}: the last push is the current state`)
          }
          for (const e of state) {
            if (e.type !== 'm.room.member' || !emu.isLocal(e.state_key) || (e.content as { membership: string }).membership !== 'join') continue
            const user = emu.user(e.state_key)
            const expected: Record<string, unknown> = { membership: 'join' }
            if (user.displayName !== null) expected.displayname = user.displayName
            if (user.avatarUrl !== null) expected.avatar_url = user.avatarUrl
            assert.equal(e.content, expected, `${e.state_key} in ${roomId}: the global profile`)
            assert.not.ok(user.deactivated, 'a deactivated user has been parted')
          }
        }
        const all = (await get('/_synapse/admin/v2/users?deactivated=true&locked=true&limit=1000')).body
        assert.is(all.total, emu.users.size)
        const listed = (await get('/_synapse/admin/v2/users?limit=1000')).body.users.map((u: { name: string }) => u.name)
        assert.equal(listed, [...emu.users.values()].filter((u) => !u.deactivated && !u.locked).map((u) => u.userId).sort())
      } finally {
        await close()
      }
    }),
    { numRuns: RUNS },
  )
  assert.ok(applied > RUNS * 10, `histories do things: ${applied} operations applied`)
})

test.run()
