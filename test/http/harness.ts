// Starts createServer on a loopback port chosen by the OS and gives the tests
// small fetch helpers.
import { createServer as createNodeServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createServer, stopServer } from '../../src/http/index.js'
import type { DirectoryService, ServerOptions } from '../../src/http/index.js'

/** A loopback port that was free a moment ago (for a process that must be told its port). */
export async function freePort(): Promise<number> {
  const server = createNodeServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export const SEARCH_PATH = '/_matrix/client/v3/user_directory/search'

export interface Running {
  url: string
  server: Server
  stop(): Promise<void>
  request(method: string, path: string, options?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>
  search(token: string | undefined, body: unknown): Promise<{ status: number; body: any; headers: Headers }>
}

export async function start(dir: DirectoryService, options: ServerOptions = {}): Promise<Running> {
  const server = createServer(dir, options)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const request: Running['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers }
    if (opts.token !== undefined) headers.Authorization = `Bearer ${opts.token}`
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body))
    const response = await fetch(url + path, { method, headers, body })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? null : JSON.parse(text)
    } catch {
      // not JSON (metrics): keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers }
  }
  return {
    url,
    server,
    stop: () => stopServer(server),
    request,
    search: (token, body) => request('POST', SEARCH_PATH, { token, body }),
  }
}
