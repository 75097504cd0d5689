// What a memory-only directory pays for its store being a MemoryStore (the
// LMDB twin in memory, issue 22) rather than nothing: the in-memory ingest of
// the bench corpus (bench/run/ingest.ts), its deltas/s, the process's CPU
// time over the whole build (register calls and stream; steadier than wall
// time on a shared machine) and heap growth, at N users, `runs` times. Run it
// on two commits to compare them.
//
//   node --expose-gc --import tsx bench/experiments/memory-store-cost.ts [N] [runs]   (default: 30000 3)
import { generateCorpus } from '../../corpus/index.js'
import { ingestInMemory } from '../run/ingest.js'

const userCount = Number(process.argv[2] ?? 30_000)
const runs = Number(process.argv[3] ?? 3)
const corpus = generateCorpus(userCount, 1)
for (let run = 1; run <= runs; run++) {
  const cpu = process.cpuUsage()
  const { dir, result } = await ingestInMemory(corpus)
  const used = process.cpuUsage(cpu)
  console.log(JSON.stringify({
    run, users: userCount, deltas: result.deltas, deltasPerSecond: Math.round(result.deltas / (result.ingestMs / 1000)), registerMs: Math.round(result.registerMs),
    cpuMs: Math.round((used.user + used.system) / 1000), heapGrowthMiB: Math.round(result.heapGrowthMiB * 10) / 10, entries: result.entries,
  }))
  await dir.close()
}
