import type { ServerResponse } from 'node:http'
import type { HttpError } from './http-error.js'

// What Matrix web clients expect on every answer, as Synapse sends them
// (synapse/http/server.py, set_cors_headers).
const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'X-Requested-With, Content-Type, Authorization, Date',
})

const CORS_ENTRIES: readonly (readonly [string, string])[] = Object.entries(CORS_HEADERS)

// The fixed headers of a JSON answer as one flat [name, value, …] list for
// writeHead: no per-header setHeader bookkeeping on the search path.
const JSON_HEADERS: readonly string[] = [
  ...CORS_ENTRIES.flat(),
  'Content-Type', 'application/json',
  'Cache-Control', 'no-cache, no-store, must-revalidate',
]

/** Sets the CORS headers on a response. */
export function setCorsHeaders(res: ServerResponse): void {
  for (const [name, value] of CORS_ENTRIES) res.setHeader(name, value)
}

/** Sends `body` as JSON with `status` (CORS headers included; headers set on `res` before are kept). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  sendJsonBytes(res, status, Buffer.from(JSON.stringify(body)))
}

/** Sends a JSON body already encoded as UTF-8, with `status` (headers as `sendJson`). */
export function sendJsonBytes(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, [...JSON_HEADERS, 'Content-Length', String(body.length)])
  res.end(body)
}

/** Sends a Matrix error `{ errcode, error, ...extra }`. */
export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { errcode: error.errcode, error: error.message, ...error.extra })
}

/** Sends a plain-text body (metrics, health). */
export function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  setCorsHeaders(res)
  res.statusCode = status
  res.setHeader('Content-Type', contentType)
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}
