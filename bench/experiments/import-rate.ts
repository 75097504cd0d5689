// Import rate from a fake Synapse Admin API on loopback (test/import/fake-synapse.ts):
// users/s over the users phase and rooms/s over the rooms phase, into a
// memory-only directory and into LMDB (one commit per page), pages of 100,
// 8 room-state requests in flight. The fake answers instantly, so this is
// the importer's own ceiling; a real Synapse adds its query time per page.
//
//   node --import tsx bench/experiments/import-rate.ts [users rooms ...]   (default: 5000 1000 50000 10000)
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { runImport } from '../../src/import/index.js'
import type { ImportStatus } from '../../src/import/index.js'
import { ADMIN_TOKEN, FakeSynapse, SERVER_NAME } from '../../test/import/fake-synapse.js'

const args = process.argv.slice(2).map(Number)
const shapes: [number, number][] = []
const given = args.length >= 2 ? args : [5000, 1000, 50_000, 10_000]
for (let i = 0; i + 1 < given.length; i += 2) shapes.push([given[i], given[i + 1]])

async function measure(hs: FakeSynapse, path: string | undefined): Promise<{ usersPerSecond: number; roomsPerSecond: number; totalMs: number; status: ImportStatus }> {
  const dir = await UserDirectory.open({ serverName: SERVER_NAME, clock: new FakeClock(), ...(path === undefined ? {} : { path }) })
  const startMs = performance.now()
  let roomsStartMs = startMs
  let phase = 'users'
  const status = await runImport({ directory: dir }, {
    homeserverUrl: hs.url,
    accessToken: ADMIN_TOKEN,
    onProgress: (s) => {
      if (s.phase === 'rooms' && phase === 'users') roomsStartMs = performance.now()
      phase = s.phase
    },
  })
  const endMs = performance.now()
  await dir.close()
  return {
    usersPerSecond: (status.usersDone * 1000) / (roomsStartMs - startMs),
    roomsPerSecond: (status.roomsDone * 1000) / (endMs - roomsStartMs),
    totalMs: endMs - startMs,
    status,
  }
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
console.log('users   rooms   target  users/s  rooms/s  total')
for (const [users, rooms] of shapes) {
  const hs = await new FakeSynapse({ users, rooms, seed: 1 }).start()
  for (const target of ['memory', 'lmdb'] as const) {
    const dir = target === 'lmdb' ? mkdtempSync(join(tmpdir(), 'userdir-import-bench-')) : undefined
    try {
      const r = await measure(hs, dir)
      console.log(`${fmt(users).padStart(6)}  ${fmt(rooms).padStart(6)}  ${target.padEnd(6)}  ${fmt(r.usersPerSecond).padStart(7)}  ${fmt(r.roomsPerSecond).padStart(7)}  ${(r.totalMs / 1000).toFixed(2)} s`)
    } finally {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    }
  }
  await hs.stop()
}
