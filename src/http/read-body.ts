import type { IncomingMessage } from 'node:http'
import { HttpError } from './http-error.js'

/**
 * Reads the request body, at most `maxBytes` of it; a longer body (by its
 * `Content-Length` or as it streams) is a 413 `M_TOO_LARGE`. The rest of
 * such a body is read and discarded, up to `maxBytes` more (at least 64 KiB),
 * so the 413 is written and reaches the client (closing a connection with
 * unread data resets it, and the client may never see the answer), and the
 * connection stays usable; a client that sends more than that has its
 * connection destroyed. A request closed before its end rejects. Listens for
 * the stream's events rather than iterating it asynchronously: the async
 * iterator's promises and stream bookkeeping are a visible share of the
 * bytes a search request allocates (in a sampled heap profile under load),
 * and allocation is what sets how often a pause for garbage collection
 * lands on requests.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) {
    discardRest(req, maxBytes)
    return Promise.reject(tooLarge(maxBytes))
  }
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const settle = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > maxBytes) {
        settle()
        discardRest(req, maxBytes)
        reject(tooLarge(maxBytes))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      settle()
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size))
    }
    const onError = (error: Error): void => {
      settle()
      reject(error)
    }
    // 'close' before 'end': the client went away mid-body.
    const onClose = (): void => {
      settle()
      reject(Object.assign(new Error('the request closed before its body ended'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

// Reads and drops what is left of a refused body, up to `maxBytes` (at
// least 64 KiB) more, then destroys the request (and its connection).
function discardRest(req: IncomingMessage, maxBytes: number): void {
  const allowance = Math.max(maxBytes, 65_536)
  let discarded = 0
  const onData = (chunk: Buffer): void => {
    discarded += chunk.length
    if (discarded > allowance) {
      req.off('data', onData)
      req.destroy()
    }
  }
  req.on('data', onData)
  req.on('error', () => {}) // a client that goes away mid-body is no error here
  req.resume()
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
