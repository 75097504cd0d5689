import type { IncomingMessage } from 'node:http'
import { HttpError } from './http-error.js'

/**
 * Reads the request body, at most `maxBytes` of it; a longer body (by its
 * `Content-Length` or as it streams) is a 413 `M_TOO_LARGE`.
 */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxBytes) throw tooLarge(maxBytes)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/**
 * Reads the body as a JSON object (Synapse's `parse_json_object_from_request`):
 * not JSON is 400 `M_NOT_JSON`, JSON that is not an object is 400 `M_BAD_JSON`.
 * With `allowEmpty`, an empty body reads as `{}`.
 */
export async function readJsonObject(req: IncomingMessage, maxBytes: number, options: { allowEmpty?: boolean } = {}): Promise<Record<string, unknown>> {
  const body = await readBody(req, maxBytes)
  if (options.allowEmpty === true && body.toString('utf8').trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw new HttpError(400, 'M_NOT_JSON', 'Content not JSON.')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpError(400, 'M_BAD_JSON', 'Content must be a JSON object.')
  }
  return parsed as Record<string, unknown>
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'M_TOO_LARGE', `Request body is larger than ${maxBytes} bytes.`)
}
