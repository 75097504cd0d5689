import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { seededDirectory, TOKENS } from './fixtures.js'
import { start } from './harness.js'

// stopServer lives in create-server.ts; this file keeps the lifecycle tests apart.
const test = suite('src/http/create-server.ts stopServer')

test('a search in flight when stopping is answered 200 before the server closes', async () => {
  const dir = await seededDirectory()
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  let entered!: () => void
  const inChecker = new Promise<void>((resolve) => (entered = resolve))
  dir.setSpamCheckers([
    async () => {
      entered()
      await gate
      return false
    },
  ])
  const service = await start(dir, { accessTokens: { ...TOKENS } })
  await service.request('GET', '/health') // leaves an idle keep-alive connection behind
  const events: string[] = []
  service.server.on('request', (_req, res) => res.on('finish', () => events.push(`sent ${res.statusCode}`)))
  const inFlight = service.search('alice', { search_term: 'bob' })
  await inChecker

  const stopped = service.stop().then(() => events.push('server closed'))
  await Promise.resolve()
  assert.is(service.server.listening, false)
  assert.equal(events, [])
  release()
  const response = await inFlight
  await stopped
  await dir.close()
  assert.equal(events, ['sent 200', 'server closed'])
  assert.is(response.status, 200)
  assert.equal(response.body.results.map((r: { user_id: string }) => r.user_id), ['@bob:test'])
})

test('after stopping, new connections are refused', async () => {
  const dir = await seededDirectory()
  const service = await start(dir, {})
  await service.stop()
  await dir.close()
  let refused = false
  try {
    await fetch(`${service.url}/health`)
  } catch {
    refused = true
  }
  assert.ok(refused)
})

test.run()
