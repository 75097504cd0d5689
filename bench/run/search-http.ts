// Search through the HTTP server on loopback: the directory serves from this
// process, the load generator (http-load.ts) runs in a child process. Only
// default-mode queries are sent (the server's directory has default flags).
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createServer, stopServer } from '../../src/index.js'
import type { UserDirectory } from '../../src/index.js'
import type { BenchCorpus, BenchQuery } from '../../corpus/index.js'
import type { LoadPlan } from './http-load.js'
import type { LoadResult } from '../report/types.js'

export interface HttpOptions {
  workDir: string
  ratePerSecond: number
  rateSeconds: number
  saturationSeconds: number
  saturationConnections: number
}

/** Serves `dir` on 127.0.0.1 and runs the fixed-rate and saturation loads of http-load.ts against it. */
export async function measureHttp(dir: UserDirectory, corpus: BenchCorpus, queries: readonly BenchQuery[], options: HttpOptions): Promise<LoadResult> {
  const accessTokens: Record<string, string> = {}
  const requests: LoadPlan['requests'] = []
  for (const q of queries) {
    if (q.mode !== 0) continue
    const token = `bench-${q.requester}`
    accessTokens[token] = corpus.users[q.requester].userId
    requests.push({ token, body: JSON.stringify({ search_term: q.term, limit: q.limit }) })
  }
  const server = createServer(dir, { accessTokens, rateLimit: false })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as AddressInfo
    const plan: LoadPlan = { url: `http://127.0.0.1:${port}`, requests, ...options }
    const planPath = join(options.workDir, 'http-plan.json')
    writeFileSync(planPath, JSON.stringify(plan))
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'http-load.ts'), planPath], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    if (code !== 0) throw new Error(`http-load exited with ${code}`)
    return JSON.parse(out) as LoadResult
  } finally {
    await stopServer(server)
  }
}
