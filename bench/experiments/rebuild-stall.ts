// How long `rebuild()` freezes the event loop (issue 19 item 6), and how
// many searches are answered while it runs. A directory of the bench corpus
// is fed in memory; then, for each of `--rounds` rebuilds, a client issues
// one search every millisecond (a timer, then `search` for a random local
// user and a 1–3 letter prefix of a corpus name) while
// perf_hooks.monitorEventLoopDelay samples the loop at 1 ms resolution.
//
//   node --max-old-space-size=4096 --import tsx bench/experiments/rebuild-stall.ts [--size 100000] [--rounds 3] [--seed 1]
//
// The same file runs on older code (a copy of another commit's tree with this
// file added), which gives the "before" figure: the synchronous rebuild.
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { UserDirectory } from '../../src/index.js'
import { feedDirectory, generateCorpus, Random } from '../../corpus/index.js'

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}

const size = flag('size', 100_000)
const rounds = flag('rounds', 3)
const seed = flag('seed', 1)
const NS_PER_MS = 1e6

const corpus = generateCorpus(size, seed)
const dir = await UserDirectory.open({ serverName: corpus.serverName, warmSearch: false })
const fed = await feedDirectory(dir, corpus)
console.log(`rebuild-stall: ${size} users, ${corpus.rooms.length} rooms, ${dir.stats().entries} entries (fed in ${(fed.registerMs + fed.ingestMs).toFixed(0)} ms)`)

const random = new Random(seed + 7)
const locals = corpus.locals.map((i) => corpus.users[i].userId)
const names = corpus.users.map((u) => u.displayName ?? u.localpart).filter((n) => n.length >= 3)
const nextSearch = (): [string, string] => [random.pick(locals), random.pick(names).slice(0, random.int(1, 3))]

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]
}

const tick = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

for (let round = 1; round <= rounds; round++) {
  dir.clearSearchCache()
  const latencies: number[] = []
  // Searches answered between the start and the end of rebuild().
  let start = Infinity
  let end = Infinity
  let rebuilding = true
  // One search per millisecond timer while the rebuild runs; latency is from the timer's due time.
  const client = (async () => {
    while (rebuilding) {
      const due = performance.now() + 1
      await tick(1)
      if (!rebuilding) break
      const [requester, term] = nextSearch()
      await dir.search(requester, term, 10)
      const answeredAt = performance.now()
      if (answeredAt >= start && answeredAt <= end) latencies.push(answeredAt - due)
    }
  })()
  // The longest the loop went without running a 1 ms interval timer: a
  // synchronous rebuild is one such gap, which the histogram only records
  // once a timer runs again (hence the ticks after the rebuild).
  let lastTick = performance.now()
  let longestGap = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    longestGap = Math.max(longestGap, now - lastTick)
    lastTick = now
  }, 1)
  const histogram = monitorEventLoopDelay({ resolution: 1 })
  histogram.enable()
  await tick(5)
  start = performance.now()
  await dir.rebuild()
  end = performance.now()
  const rebuildMs = end - start
  rebuilding = false
  await tick(5)
  histogram.disable()
  clearInterval(ticker)
  await client
  latencies.sort((a, b) => a - b)
  console.log(
    `round ${round}: rebuild ${rebuildMs.toFixed(0)} ms; event-loop delay max ${(histogram.max / NS_PER_MS).toFixed(1)} ms, ` +
      `p99 ${(histogram.percentile(99) / NS_PER_MS).toFixed(1)} ms, p50 ${(histogram.percentile(50) / NS_PER_MS).toFixed(1)} ms; longest gap between 1 ms timers ${longestGap.toFixed(1)} ms; ` +
      `${latencies.length} searches answered during it (latency p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${percentile(latencies, 1).toFixed(1)} ms)`,
  )
}
await dir.close()
