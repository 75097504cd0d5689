// The reverse-proxy snippets of docs/deployment.md, run as written (only the
// addresses changed) in front of the real service and a stand-in Synapse:
// searches reach the service while it answers, and Synapse whenever the
// service is stopped or answers 503. Runs when nginx or caddy is installed;
// otherwise each suite says it is skipped and why.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { listenWhileStarting } from '../../src/http/index.js'
import type { UserDirectory } from '../../src/index.js'
import { seededDirectory, TOKENS } from '../http/fixtures.js'
import { freePort, SEARCH_PATH, start } from '../http/harness.js'
import type { Running } from '../http/harness.js'

const DOCS = readFileSync(new URL('../../docs/deployment.md', import.meta.url), 'utf8')

/** The first fenced block of `lang` under the docs' "The reverse proxy" heading. */
function snippet(lang: string): string {
  const section = DOCS.slice(DOCS.indexOf('## The reverse proxy'))
  const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section)
  if (match?.[1] === undefined) throw new Error(`docs/deployment.md: no ${lang} block under "The reverse proxy"`)
  return match[1]
}

function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin'])) {
    const path = join(dir, command)
    if (dir !== '' && existsSync(path)) return path
  }
  return null
}

interface Upstream {
  port: number
  server: Server
  bodies: string[]
  stop(): Promise<void>
}

/** A small HTTP server on loopback; `handle` gets the request and its body. */
async function upstream(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Upstream> {
  const bodies: string[] = []
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      if (req.url !== '/health') bodies.push(body)
      handle(req, res, body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    server,
    bodies,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

// Stands in for Synapse: its /health, and a search answer that says who gave it.
const fakeSynapse = (): Promise<Upstream> =>
  upstream((req, res, body) => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('OK')
      return
    }
    let term = ''
    try {
      term = (JSON.parse(body) as { search_term?: string }).search_term ?? ''
    } catch {
      // an empty or broken body: answer with no term, the test sees it
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ limited: false, results: [{ user_id: '@synapse:test', display_name: `synapse saw ${term}`, avatar_url: null }] }))
  })

interface Proxy {
  url: string
  stop(): Promise<void>
}

async function waitUntilUp(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`proxy exited ${child.exitCode}: ${log()}`)
    try {
      await fetch(url + '/_matrix/client/versions')
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }
  throw new Error(`proxy did not come up in 10 s: ${log()}`)
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000)
  await exited
  clearTimeout(timer)
}

function withPorts(text: string, servicePort: number, synapsePort: number): string {
  return text.replaceAll('127.0.0.1:8090', `127.0.0.1:${servicePort}`).replaceAll('127.0.0.1:8008', `127.0.0.1:${synapsePort}`)
}

async function startNginx(binary: string, servicePort: number, synapsePort: number): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'userdir-nginx-'))
  const port = await freePort()
  const conf = `daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  server {
    listen 127.0.0.1:${port};
${withPorts(snippet('nginx'), servicePort, synapsePort)}
  }
}
`
  writeFileSync(join(dir, 'nginx.conf'), conf)
  const child = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  const log = (): string => stderr + (existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '')
  await waitUntilUp(url, child, log)
  return {
    url,
    async stop() {
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function startCaddy(binary: string, servicePort: number, synapsePort: number): Promise<Proxy> {
  const dir = mkdtempSync(join(tmpdir(), 'userdir-caddy-'))
  const port = await freePort()
  const site = withPorts(snippet('caddy'), servicePort, synapsePort).replace('matrix.example.org', `http://127.0.0.1:${port}`)
  writeFileSync(join(dir, 'Caddyfile'), `{\n\tadmin off\n\tauto_https off\n}\n${site}`)
  const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir }
  const child = spawn(binary, ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], { stdio: ['ignore', 'ignore', 'pipe'], env })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const url = `http://127.0.0.1:${port}`
  await waitUntilUp(url, child, () => stderr)
  return {
    url,
    async stop() {
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function searchVia(url: string, term: string, token = 'alice'): Promise<{ status: number; body: { results?: { user_id: string; display_name: string | null }[]; errcode?: string } }> {
  const response = await fetch(url + SEARCH_PATH, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ search_term: term }) })
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) as { results?: { user_id: string; display_name: string | null }[] } }
  } catch {
    throw new Error(`the proxy answered ${response.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 200))}`)
  }
}

async function eventually<T>(what: string, probe: () => Promise<T>, ok: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs
  let last: T = await probe()
  while (!ok(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    last = await probe()
  }
  if (!ok(last)) throw new Error(`${what}: not within ${withinMs} ms; last answer ${JSON.stringify(last)}`)
  return last
}

type Starter = (binary: string, servicePort: number, synapsePort: number) => Promise<Proxy>

function proxySuite(name: string, command: string, startProxy: Starter, settleMs: number): void {
  const binary = which(command)
  const test = suite<{ dir: UserDirectory; service: Running; synapse: Upstream }>(`docs/deployment.md: ${name} falls back to Synapse`)
  if (binary === null) {
    test(`skipped: ${command} is not installed (apt-get install ${command === 'nginx' ? 'nginx-light' : 'caddy'}; .ci/run does where it can)`, () => {
      console.log(`  skipped: ${command} not found on PATH, /usr/sbin or /usr/bin`)
    })
    test.run()
    return
  }
  test.before.each(async (ctx) => {
    ctx.dir = await seededDirectory()
    ctx.service = await start(ctx.dir, { accessTokens: { ...TOKENS } })
    ctx.synapse = await fakeSynapse()
  })
  test.after.each(async (ctx) => {
    await ctx.service.stop().catch(() => undefined)
    await ctx.synapse.stop()
    await ctx.dir.close()
  })

  test('the service answers while it is up; other paths go to Synapse', async ({ service, synapse }) => {
    const proxy = await startProxy(binary, Number(new URL(service.url).port), synapse.port)
    try {
      const viaProxy = await searchVia(proxy.url, 'bo')
      const direct = await service.search('alice', { search_term: 'bo' })
      assert.is(viaProxy.status, 200)
      assert.equal(viaProxy.body, direct.body)
      assert.equal(synapse.bodies, [''], 'only the readiness probe reached Synapse')
      // A client error of the service reaches the client unchanged, not Synapse.
      const missing = await fetch(proxy.url + SEARCH_PATH, { method: 'POST', body: '{"search_term":"bo"}' })
      assert.is(missing.status, 401)
      assert.is(synapse.bodies.length, 1)
    } finally {
      await proxy.stop()
    }
  })

  test('the service stopped: Synapse answers the same search, body included', async ({ service, synapse }) => {
    const proxy = await startProxy(binary, Number(new URL(service.url).port), synapse.port)
    try {
      await service.stop()
      const answer = await searchVia(proxy.url, 'carol')
      assert.is(answer.status, 200)
      assert.equal(answer.body.results, [{ user_id: '@synapse:test', display_name: 'synapse saw carol', avatar_url: null }])
    } finally {
      await proxy.stop()
    }
  })

  test('the service answering 503 (starting, store failing): Synapse takes over', async ({ synapse }) => {
    // The service's own placeholder while its store opens: 503 everywhere, /health included.
    const failing = await listenWhileStarting(0, '127.0.0.1')
    const proxy = await startProxy(binary, failing.port, synapse.port)
    try {
      const answer = await eventually('Synapse answers', () => searchVia(proxy.url, 'dave'), (a) => a.status === 200, settleMs)
      assert.equal(answer.body.results?.[0]?.display_name, 'synapse saw dave')
    } finally {
      await proxy.stop()
      failing.close()
    }
  })

  test.run()
}

// nginx intercepts the 503 itself; Caddy learns it from /health (every health_interval, 2 s in the docs).
proxySuite('nginx', 'nginx', startNginx, 1_000)
proxySuite('Caddy', 'caddy', startCaddy, 5_000)

