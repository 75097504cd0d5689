// A body over the limit is answered 413 over the wire, whether it declares
// its length or streams chunked (issue 19 item 11: the chunked one used to
// get a reset, the socket destroyed before the answer was written).
import { request as httpRequest } from 'node:http'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { seededDirectory, TOKENS } from './fixtures.js'
import { SEARCH_PATH, start } from './harness.js'

const test = suite('src/http/read-body.ts over HTTP')

// Sends `chunks` as a chunked body (a pause between chunks, so the server
// sees the limit passed mid-body), and resolves with the status and body of
// the answer, or rejects with the socket's error.
function postChunked(url: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url + SEARCH_PATH, { method: 'POST', headers: { Authorization: 'Bearer alice', 'Transfer-Encoding': 'chunked', ...headers } })
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (text: string) => (body += text))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('error', reject)
    let i = 0
    const writeNext = (): void => {
      if (i === chunks.length) {
        req.end()
        return
      }
      req.write(chunks[i++], () => setTimeout(writeNext, 5))
    }
    writeNext()
  })
}

test('a chunked body over the limit gets 413 M_TOO_LARGE, not a reset, and the server goes on', async () => {
  const dir = await seededDirectory()
  const service = await start(dir, { accessTokens: { ...TOKENS }, maxBodyBytes: 1_000 })
  try {
    const chunks = [Buffer.from('{"search_term":"'), ...Array.from({ length: 6 }, () => Buffer.from('a'.repeat(400))), Buffer.from('"}')]
    const answer = await postChunked(service.url, chunks)
    assert.is(answer.status, 413)
    assert.is(JSON.parse(answer.body).errcode, 'M_TOO_LARGE')
    assert.is((await service.search('alice', { search_term: 'bo' })).status, 200)
  } finally {
    await service.stop()
    await dir.close()
  }
})

test('a declared length over the limit gets 413 while the body is still being sent', async () => {
  const dir = await seededDirectory()
  const service = await start(dir, { accessTokens: { ...TOKENS }, maxBodyBytes: 1_000 })
  try {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const body = Buffer.from(JSON.stringify({ search_term: 'a'.repeat(3_000) }))
      const req = httpRequest(service.url + SEARCH_PATH, { method: 'POST', headers: { Authorization: 'Bearer alice', 'Content-Length': String(body.length) } })
      req.on('response', (res) => {
        let text = ''
        res.on('data', (b: Buffer) => (text += b.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      })
      req.on('error', reject)
      req.write(body.subarray(0, 100), () => setTimeout(() => req.end(body.subarray(100)), 20))
    })
    assert.is(answer.status, 413)
    assert.is(JSON.parse(answer.body).errcode, 'M_TOO_LARGE')
  } finally {
    await service.stop()
    await dir.close()
  }
})

test.run()
