// The HTTP load generator, run as its own process so it does not share the
// server's event loop: a warm-up that sends every request of the cycle once and
// waits for each answer (so the timed runs, like the in-process "seen
// before" pass, measure queries whose ranking is cached: at 1M a first-sight
// query costs milliseconds, and 2,000 new ones a second would measure only
// the backlog), then an open-loop run at a fixed rate (each latency counted
// from the request's scheduled send time, so a stall is not hidden by the
// generator waiting for it), then autocannon at saturation.
//
//   node --import tsx bench/run/http-load.ts <requests.json>     (written by search-http.ts)
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import type { ClientRequest } from 'node:http'
import autocannon from 'autocannon'
import type { LoadResult } from '../report/types.js'

/** What the server side hands the generator. */
export interface LoadPlan {
  url: string
  /** Requests cycled in order: bearer token and JSON body. */
  requests: { token: string; body: string }[]
  ratePerSecond: number
  rateSeconds: number
  saturationSeconds: number
  saturationConnections: number
}

const PATH = '/_matrix/client/v3/user_directory/search'

function fixedRate(plan: LoadPlan): Promise<LoadResult['fixedRate']> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 })
  const { hostname, port } = new URL(plan.url)
  const total = Math.round(plan.ratePerSecond * plan.rateSeconds)
  const intervalNs = 1e9 / plan.ratePerSecond
  const latencyUs: number[] = []
  // How late the generator itself sent each request (its timer tick and its own pauses): part of every latency above.
  const sendLateUs: number[] = []
  let sent = 0
  let done = 0
  let ok = 0
  let failed = 0
  const start = process.hrtime.bigint()
  const pending = new Map<bigint, ClientRequest>()
  return new Promise((resolve) => {
    let resolved = false
    const finish = (atDeadline = false): void => {
      if ((done < total && !atDeadline) || resolved) return
      resolved = true
      clearTimeout(deadline)
      const now = process.hrtime.bigint()
      // Abort what is still queued or in flight: destroying only the agent's
      // sockets would let its queued requests open new ones.
      for (const [scheduled, req] of pending) {
        latencyUs.push(Number(now - scheduled) / 1000)
        req.destroy()
      }
      agent.destroy()
      const seconds = Number(now - start) / 1e9
      resolve({ ratePerSecond: plan.ratePerSecond, sent, ok, failed, unfinished: pending.size, achievedPerSecond: done / seconds, latencyUs, sendLateUs })
    }
    const deadline = setTimeout(() => finish(true), (plan.rateSeconds * 2 + 10) * 1000)
    const send = (i: number): void => {
      const scheduled = start + BigInt(Math.round(i * intervalNs))
      const { token, body } = plan.requests[i % plan.requests.length]
      const req = request({ hostname, port, path: PATH, method: 'POST', agent, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume()
        res.on('end', () => {
          if (resolved) return
          pending.delete(scheduled)
          latencyUs.push(Number(process.hrtime.bigint() - scheduled) / 1000)
          if (res.statusCode === 200) ok++
          else failed++
          done++
          finish()
        })
      })
      pending.set(scheduled, req)
      sendLateUs.push(Number(process.hrtime.bigint() - scheduled) / 1000)
      req.on('error', () => {
        if (resolved) return
        pending.delete(scheduled)
        failed++
        done++
        finish()
      })
      req.end(body)
    }
    const tick = (): void => {
      const due = Math.min(total, Math.floor(Number(process.hrtime.bigint() - start) / intervalNs) + 1)
      while (sent < due) send(sent++)
      // A 1 ms timer rather than setImmediate: spinning would take a core from the server.
      if (sent < total && !resolved) setTimeout(tick, 1)
    }
    tick()
  })
}

/** Resolves once the server answers GET /health: requests aborted at a deadline may still be running there. */
function drained(plan: LoadPlan): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${plan.url}/health`, (res) => {
      res.resume()
      res.on('end', () => resolve())
    })
    req.on('error', () => resolve())
    req.end()
  })
}

async function saturation(plan: LoadPlan): Promise<LoadResult['saturation']> {
  let next = 0
  const result = await autocannon({
    url: plan.url,
    connections: plan.saturationConnections,
    duration: plan.saturationSeconds,
    requests: [{
      method: 'POST',
      path: PATH,
      setupRequest: (req) => {
        const { token, body } = plan.requests[next++ % plan.requests.length]
        return { ...req, body, headers: { ...req.headers, authorization: `Bearer ${token}`, 'content-type': 'application/json' } }
      },
    }],
  })
  return {
    connections: plan.saturationConnections,
    requestsPerSecond: result.requests.average,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  }
}

// Every request once, `concurrency` at a time, each waiting for its answer.
async function warmUp(plan: LoadPlan, concurrency = 4): Promise<LoadResult['warmUp']> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const { hostname, port } = new URL(plan.url)
  const start = performance.now()
  let next = 0
  let failed = 0
  const one = (i: number): Promise<void> =>
    new Promise((resolve) => {
      const { token, body } = plan.requests[i]
      const req = request({ agent, hostname, port, path: PATH, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        if (res.statusCode !== 200) failed++
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', () => {
        failed++
        resolve()
      })
      req.end(body)
    })
  const lane = async (): Promise<void> => {
    while (next < plan.requests.length) await one(next++)
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  agent.destroy()
  return { requests: plan.requests.length, seconds: (performance.now() - start) / 1000, failed }
}

const planPath = process.argv[2]
if (planPath !== undefined) {
  const plan = JSON.parse(readFileSync(planPath, 'utf8')) as LoadPlan
  const warm = await warmUp(plan)
  const fixed = await fixedRate(plan)
  await drained(plan)
  const out: LoadResult = { warmUp: warm, fixedRate: fixed, saturation: await saturation(plan) }
  process.stdout.write(JSON.stringify(out))
}
