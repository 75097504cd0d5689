import type { ServerResponse } from 'node:http'
import type { HttpError } from './http-error.js'

// What Matrix web clients expect on every answer, as Synapse sends them
// (synapse/http/server.py, set_cors_headers).
const CORS_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, PUT, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'X-Requested-With, Content-Type, Authorization, Date',
})

/** Sets the CORS headers on a response. */
export function setCorsHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value)
}

/** Sends `body` as JSON with `status` (CORS headers included). */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  setCorsHeaders(res)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
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
