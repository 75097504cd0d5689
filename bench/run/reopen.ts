// Reopen from LMDB in a fresh process: time to open and to the first answer,
// the search warm-up that open started (awaited), the memory the opened
// directory then holds (RSS and heap per entry), then the in-process search
// passes over one mode's queries. A fresh process is what a
// restarted service is, so its RSS is the service's.
//
//   node --import tsx --expose-gc bench/run/reopen.ts <plan.json> <out.json>
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { UserDirectory } from '../../src/index.js'
import type { SearchWarmReport } from '../../src/index.js'
import type { Mode } from '../../corpus/index.js'
import { measureInProcess } from './search-inprocess.js'
import type { InProcessRun, PlainQuery } from './search-inprocess.js'
import { collectGarbage, memoryMiB } from './measure.js'

export interface ReopenPlan {
  path: string
  serverName: string
  mode: Mode
  queries: PlainQuery[]
}

export interface ReopenResult {
  mode: string
  openMs: number
  firstAnswerMs: number
  /** The warm-up `open()` started, awaited after the first answer (memory is measured after it). */
  warm: SearchWarmReport
  entries: number
  memoryMiB: ReturnType<typeof memoryMiB>
  baselineMiB: ReturnType<typeof memoryMiB>
  search: InProcessRun
}

/** Runs this file in a child process (with `heapMiB` of old space) and returns its result. */
export async function runReopen(plan: ReopenPlan, workDir: string, heapMiB: number, cpuProfDir?: string): Promise<ReopenResult> {
  const planPath = join(workDir, `reopen-${plan.mode.name}.json`)
  const outPath = join(workDir, `reopen-${plan.mode.name}.out.json`)
  writeFileSync(planPath, JSON.stringify(plan))
  const profile = cpuProfDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`]
  const child = spawn(process.execPath, [`--max-old-space-size=${heapMiB}`, '--max-semi-space-size=64', '--expose-gc', ...profile, '--import', 'tsx', join(import.meta.dirname, 'reopen.ts'), planPath, outPath], { stdio: 'inherit' })
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  if (code !== 0) throw new Error(`reopen (${plan.mode.name}) exited with ${code}`)
  return JSON.parse(readFileSync(outPath, 'utf8')) as ReopenResult
}

async function main(planPath: string, outPath: string): Promise<void> {
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as ReopenPlan
  const queries = plan.queries
  plan.queries = []
  collectGarbage()
  const baselineMiB = memoryMiB()
  const { name: _name, ...flags } = plan.mode
  const t0 = performance.now()
  const dir = await UserDirectory.open({ serverName: plan.serverName, path: plan.path, ...flags })
  const t1 = performance.now()
  const first = queries[0] ?? { requesterId: `@nobody:${plan.serverName}`, term: 'a', limit: 10 }
  await dir.search(first.requesterId, first.term, first.limit)
  const t2 = performance.now()
  const warm = await dir.warmSearch()
  collectGarbage()
  const memory = memoryMiB()
  const search = await measureInProcess(dir, queries)
  const result: ReopenResult = { mode: plan.mode.name, openMs: t1 - t0, firstAnswerMs: t2 - t0, warm, entries: dir.stats().entries, memoryMiB: memory, baselineMiB, search }
  await dir.close()
  writeFileSync(outPath, JSON.stringify(result))
}

if (process.argv[1] === import.meta.filename && process.argv.length >= 4) await main(process.argv[2], process.argv[3])
