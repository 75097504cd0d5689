// How long LmdbStore.load() takes for N members and N directory entries
// (plus N/10 local users and N/10 stale marks), against a bare range scan
// of the same databases without the store's decoding checks.
//
//   node --import tsx bench/experiments/store-load.ts [N ...]     (default: 100000 1000000)
import { open } from 'lmdb'
import { rmSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { RoomId, UserId } from '../../src/ids/index.js'
import { LmdbStore } from '../../src/store/index.js'
import type { StoreBatch } from '../../src/store/index.js'

const sizes = process.argv.slice(2).map(Number)
const runs = 5
const roomSize = 100
const chunk = 20_000

function batchOf(from: number, to: number): StoreBatch {
  const batch: StoreBatch = { rooms: [], members: [], localUsers: [], entries: [], stale: [] }
  for (let i = from; i < to; i++) {
    const room = `!room${Math.floor(i / roomSize)}:example.org` as RoomId
    const user = `@user${i}:${i % 3 === 0 ? 'remote.org' : 'example.org'}` as UserId
    if (i % roomSize === 0) batch.rooms.push([room, { joinRule: i % 2 === 0 ? 'public' : 'invite', historyVisibility: 'shared' }])
    batch.members.push([room, user, i % 3 === 0 ? { displayName: `User Number ${i}`, avatarUrl: `mxc://remote.org/${i}` } : null])
    batch.entries.push([user, { displayName: `User Number ${i}`, avatarUrl: i % 2 === 0 ? null : `mxc://example.org/${i}` }])
    if (i % 10 === 0) batch.localUsers.push([user, { userType: null, deactivated: false, locked: false }])
    if (i % 10 === 5) batch.stale.push([user, { nextTryAtMs: 1_700_000_000_000 + i, retryCounter: i % 5 }])
  }
  batch.position = to
  return batch
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

async function measure(n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'userdir-bench-'))
  try {
    const writer = await LmdbStore.open(dir)
    const writeStart = performance.now()
    for (let from = 0; from < n; from += chunk) writer.commit(batchOf(from, Math.min(n, from + chunk)))
    const writeMs = performance.now() - writeStart
    await writer.close()

    const openMs: number[] = []
    const loadMs: number[] = []
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now()
      const store = await LmdbStore.open(dir)
      const t1 = performance.now()
      const state = store.load()
      const t2 = performance.now()
      if ([...state.members.values()].reduce((sum, joined) => sum + joined.size, 0) !== n || state.entries.size !== n) throw new Error('wrong counts')
      await store.close()
      openMs.push(t1 - t0)
      loadMs.push(t2 - t1)
    }

    const bareMs: number[] = []
    for (let run = 0; run < runs; run++) {
      const env = open(dir, { readOnly: true })
      const t0 = performance.now()
      let count = 0
      for (const name of ['rooms', 'members', 'localUsers', 'entries', 'stale']) {
        for (const entry of env.openDB({ name }).getRange()) if (entry.value !== undefined) count++
      }
      bareMs.push(performance.now() - t0)
      await env.close()
      if (count < 2 * n) throw new Error('wrong bare count')
    }

    openMs.sort((a, b) => a - b)
    loadMs.sort((a, b) => a - b)
    bareMs.sort((a, b) => a - b)
    const records = 2 * n + n / 5 + n / roomSize
    console.log(
      `${n.toLocaleString('en')} members + ${n.toLocaleString('en')} entries (${Math.round(records).toLocaleString('en')} records): ` +
        `write ${(writeMs / 1000).toFixed(1)} s; open p50 ${percentile(openMs, 0.5).toFixed(1)} ms; ` +
        `load p50 ${percentile(loadMs, 0.5).toFixed(0)} ms, max ${loadMs[loadMs.length - 1].toFixed(0)} ms ` +
        `(${((records / percentile(loadMs, 0.5)) * 1000 / 1e6).toFixed(2)}M records/s); ` +
        `bare range scan p50 ${percentile(bareMs, 0.5).toFixed(0)} ms; load/bare ${(percentile(loadMs, 0.5) / percentile(bareMs, 0.5)).toFixed(2)}×`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

for (const n of sizes.length > 0 ? sizes : [100_000, 1_000_000]) await measure(n)
