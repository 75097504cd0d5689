import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readBody } from '../../src/http/read-body.js'

const test = suite('src/http/read-body.ts')

function request(headers: Record<string, string> = {}): Readable & { headers: Record<string, string> } {
  return Object.assign(new Readable({ read() {} }), { headers })
}

test('joins the chunks in order', async () => {
  const req = request()
  const body = readBody(req as unknown as IncomingMessage, 100)
  req.push(Buffer.from('{"a":'))
  req.push(Buffer.from('1}'))
  req.push(null)
  assert.is((await body).toString(), '{"a":1}')
})

test('a body that streams past the cap is 413; the rest is read and dropped, up to the cap again', async () => {
  const req = request()
  const body = readBody(req as unknown as IncomingMessage, 8)
  req.push(Buffer.from('12345'))
  req.push(Buffer.from('67890'))
  const error = await body.then(() => null, (e: unknown) => e)
  assert.is((error as { errcode?: string } | null)?.errcode, 'M_TOO_LARGE')
  // Not destroyed: the connection can carry the 413 (issue 19 item 11).
  assert.not.ok(req.destroyed)
  req.push(Buffer.alloc(60_000))
  await new Promise((resolve) => setImmediate(resolve))
  assert.not.ok(req.destroyed)
  assert.is(req.readableLength, 0)
  // Past 64 KiB of discarded body the client is cut off.
  req.push(Buffer.alloc(10_000))
  await new Promise((resolve) => setImmediate(resolve))
  assert.ok(req.destroyed)
})

test('a declared length over the cap is 413 before anything is read', async () => {
  const req = request({ 'content-length': '9' })
  const error = await readBody(req as unknown as IncomingMessage, 8).then(() => null, (e: unknown) => e)
  assert.is((error as { errcode?: string } | null)?.errcode, 'M_TOO_LARGE')
})

test('a stream error or a close before the end rejects', async () => {
  const failing = request()
  const failed = readBody(failing as unknown as IncomingMessage, 100)
  failing.destroy(new Error('boom'))
  assert.is(((await failed.then(() => null, (e: unknown) => e)) as Error).message, 'boom')
  const closing = request()
  const closed = readBody(closing as unknown as IncomingMessage, 100)
  closing.push(Buffer.from('{'))
  closing.destroy()
  assert.instance(await closed.then(() => null, (e: unknown) => e), Error)
})

test('an empty body is an empty buffer', async () => {
  const req = request()
  const body = readBody(req as unknown as IncomingMessage, 100)
  req.push(null)
  assert.is((await body).length, 0)
})

test.run()
