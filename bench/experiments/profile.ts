// CPU profiles of the hot paths (search, the delta stream, the HTTP server
// under load, rebuild), for when a target is missed: the V8
// profiler (the same .cpuprofile format as node --cpu-prof) runs only around
// the operation, and the top functions by self time are printed.
//
//   node --max-old-space-size=8192 --import tsx bench/experiments/profile.ts --size 100k --what search|search-cold|ingest|ingest-lmdb|http|rebuild|reopen
//
// reopen: opens a store kept in bench/.work/reopen-<size>/ (built on the first
// run from the seeded corpus, then reused), profiling UserDirectory.open and the
// first answer in a process that holds nothing else.
//
// Profiles land in bench/.work/profiles/ (open them in Chrome DevTools).
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { Session } from 'node:inspector/promises'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createServer, stopServer, UserDirectory } from '../../src/index.js'
import { generateCorpus, deltaBatches, feedDirectory, registerLocals, generateQueries, SERVER_NAME } from '../../corpus/index.js'
import { ingestLmdb, seedLocals } from '../run/ingest.js'
import type { LoadPlan } from '../run/http-load.js'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

/** Self time per function and per file, as shares of all samples. */
export function topFunctions(profile: { nodes: ProfileNode[] }, count = 25): string[] {
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0
    total += hits
    const file = node.callFrame.url.replace(/^.*\/(node_modules\/[^/]+|src|bench)\//, '$1/') || '(native)'
    const key = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits)
    byFile.set(file, (byFile.get(file) ?? 0) + hits)
  }
  const top = (m: Map<string, number>, n: number): string[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`)
  return ['by function (self):', ...top(byFunction, count), 'by file (self):', ...top(byFile, 12)]
}

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '100k' }, what: { type: 'string', default: 'search' }, seconds: { type: 'string', default: '10' } } })
const userCount = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 }[args.size.toLowerCase()]
if (userCount === undefined) throw new Error('--size must be 10k, 100k or 1m')
const outDir = join(import.meta.dirname, '..', '.work', 'profiles')
mkdirSync(outDir, { recursive: true })
const session = new Session()
session.connect()
await session.post('Profiler.enable')
await session.post('Profiler.setSamplingInterval', { interval: 100 })

async function profiled(name: string, work: () => Promise<void>): Promise<void> {
  await session.post('Profiler.start')
  const t0 = performance.now()
  await work()
  const ms = performance.now() - t0
  const { profile } = await session.post('Profiler.stop')
  const path = join(outDir, `${args.size}-${name}.cpuprofile`)
  writeFileSync(path, JSON.stringify(profile))
  console.log(`${name}: ${ms.toFixed(0)} ms profiled, written to ${path}`)
  console.log(topFunctions(profile as unknown as { nodes: ProfileNode[] }).join('\n'))
}

if (args.what === 'reopen') {
  const path = join(import.meta.dirname, '..', '.work', `reopen-${args.size}`)
  if (!existsSync(join(path, 'data.mdb'))) {
    // Built in a child so this process holds only what open() loads.
    const child = spawn(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', join(import.meta.dirname, 'profile.ts'), '--size', args.size, '--what', 'build-store'], { stdio: 'inherit' })
    const code = await new Promise((resolve) => child.on('exit', resolve))
    if (code !== 0) throw new Error(`building the store exited with ${String(code)}`)
  }
  let reopened: UserDirectory | undefined
  await profiled('reopen', async () => {
    reopened = await UserDirectory.open({ serverName: SERVER_NAME, path })
    await reopened.search(`@nobody:${SERVER_NAME}`, 'a', 10)
  })
  console.log(`heap used ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`)
  await reopened?.close()
  process.exit(0)
}
const corpus = generateCorpus(userCount, 1)
if (args.what === 'build-store') {
  const path = join(import.meta.dirname, '..', '.work', `reopen-${args.size}`)
  rmSync(path, { recursive: true, force: true })
  mkdirSync(path, { recursive: true })
  const t0 = performance.now()
  const { dir: built } = await ingestLmdb(corpus, path)
  await built.close()
  console.log(`store built at ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  process.exit(0)
}
const queries = generateQueries(corpus, 4000, 2).filter((q) => q.mode === 0)
if (args.what === 'ingest-lmdb') {
  // The delta stream into an LMDB-backed directory (local users seeded into the store first, untimed).
  const path = mkdtempSync(join(tmpdir(), 'profile-lmdb-'))
  try {
    await seedLocals(path, corpus)
    const stored = await UserDirectory.open({ serverName: corpus.serverName, path })
    await profiled('ingest-lmdb', async () => {
      let position = 0
      for (const batch of deltaBatches(corpus)) await stored.ingest(batch, { position: ++position })
    })
    await stored.close()
  } finally {
    rmSync(path, { recursive: true, force: true })
  }
  process.exit(0)
}
const dir = await UserDirectory.open({ serverName: corpus.serverName })
if (args.what === 'ingest') {
  await registerLocals(dir, corpus)
  await profiled('ingest', async () => {
    let position = 0
    for (const batch of deltaBatches(corpus)) await dir.ingest(batch, { position: ++position })
  })
} else {
  await feedDirectory(dir, corpus)
}
if (args.what === 'rebuild') {
  await profiled('rebuild', async () => {
    await dir.rebuild()
  })
}
if (args.what === 'search' || args.what === 'search-cold') {
  // search: repeated queries (rankings cached); search-cold: the cache dropped before each query.
  const cold = args.what === 'search-cold'
  const plain = queries.map((q) => ({ requester: corpus.users[q.requester].userId, term: q.term, limit: q.limit }))
  for (const q of plain) await dir.search(q.requester, q.term, q.limit)
  await profiled(args.what, async () => {
    const until = performance.now() + Number(args.seconds) * 1000
    while (performance.now() < until) {
      for (const q of plain) {
        if (cold) dir.clearSearchCache()
        await dir.search(q.requester, q.term, q.limit)
      }
    }
  })
}
if (args.what === 'http') {
  const accessTokens: Record<string, string> = {}
  const requests = queries.map((q) => {
    accessTokens[`t${q.requester}`] = corpus.users[q.requester].userId
    return { token: `t${q.requester}`, body: JSON.stringify({ search_term: q.term, limit: q.limit }) }
  })
  const server = createServer(dir, { accessTokens, rateLimit: false })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const plan: LoadPlan = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, ratePerSecond: 2000, rateSeconds: Number(args.seconds), saturationSeconds: Number(args.seconds), saturationConnections: 32 }
  const planPath = join(outDir, 'http-plan.json')
  writeFileSync(planPath, JSON.stringify(plan))
  await profiled('http', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', 'run', 'http-load.ts'), planPath], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    await new Promise((resolve) => child.on('exit', resolve))
    const result = JSON.parse(out) as { fixedRate: { latencyUs: number[] }; saturation: unknown }
    const sorted = result.fixedRate.latencyUs.sort((a, b) => a - b)
    console.log('fixed rate p50/p99 µs', sorted[Math.floor(sorted.length / 2)], sorted[Math.floor(sorted.length * 0.99)], 'saturation', result.saturation)
  })
  await stopServer(server)
}
await dir.close()
session.disconnect()
