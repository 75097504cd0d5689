// Issue 19, item 2: background work (profile refresher, search warm-up,
// background import) never rejects unhandled when the store refuses its
// commits: it logs and tries again later, and recovers once the store can
// be written. (test/run.ts also fails the whole run on any unhandled
// rejection or uncaught exception.)
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { FakeClock, UserDirectory } from '../../src/index.js'
import { BackgroundImport, LiveChanges } from '../../src/import/index.js'
import { STORE_FAILURE_RETRY_MS } from '../../src/profiles/index.js'
import { SearchWarmer } from '../../src/search/search-warmer.js'
import { Searcher } from '../../src/search/index.js'
import { ADMIN_TOKEN, FakeSynapse, SERVER_NAME } from '../import/fake-synapse.js'
import { FailingStore } from '../store/failing-store.js'
import { tempDir } from '../store/store-fixtures.js'

const test = suite('faults/background-failures')

function collectingLogger(): { logger: Logger; messages: string[] } {
  const messages: string[] = []
  const logger: Logger = pino({ level: 'warn' }, { write: (line: string) => void messages.push(JSON.parse(line).msg) })
  return { logger, messages }
}

function watchStrays(): { strays: unknown[]; stop(): void } {
  const strays: unknown[] = []
  const onStray = (reason: unknown): void => void strays.push(reason)
  process.on('unhandledRejection', onStray)
  return { strays, stop: () => void process.off('unhandledRejection', onStray) }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20))

test('the profile refresher on a store that refuses commits logs, keeps the user due, and stores the profile once the store can be written', async () => {
  const made = tempDir('userdir-faults-bg-')
  const watch = watchStrays()
  const clock = new FakeClock(1_000_000)
  const { logger, messages } = collectingLogger()
  const store = await FailingStore.open(made.path)
  let fetches = 0
  const dir = await UserDirectory.openOnStore(
    { serverName: 'test', clock, logger, warmSearch: false, profileFetcher: async () => { fetches++; return { displayname: 'Remote Rita' } } },
    store,
  )
  try {
    await dir.registerLocalUser('@l0:test')
    await dir.ingest([
      { room_id: '!p:test', type: 'm.room.member', state_key: '@l0:test', content: { membership: 'join' } },
      { room_id: '!p:test', type: 'm.room.member', state_key: '@rita:remote.org', content: { membership: 'join', displayname: 'nick' } },
    ])
    assert.is(dir.stats().staleRemoteUsers, 1)
    store.failing = true
    await clock.advance(61_000)
    await settle()
    assert.ok(fetches >= 1, 'the refresher fetched')
    assert.ok(messages.some((m) => /trying again later/.test(m)), `the failure is logged: ${messages}`)
    assert.is(dir.stats().staleRemoteUsers, 1, 'the user stays due')
    store.failing = false
    await clock.advance(STORE_FAILURE_RETRY_MS + 2_000)
    await settle()
    await clock.advance(20_000)
    await settle()
    assert.is(dir.stats().staleRemoteUsers, 0, 'refreshed once the store is writable')
    assert.equal(await dir.getProfile('@rita:remote.org'), { display_name: 'Remote Rita', avatar_url: null })
    assert.equal(watch.strays, [], 'no unhandled rejection')
  } finally {
    watch.stop()
    await dir.close()
    made.remove()
  }
})

test('a background import stopped by a refused page logs and resumes by itself once the store can be written', async () => {
  const made = tempDir('userdir-faults-bg-')
  const watch = watchStrays()
  const hs = await new FakeSynapse({ users: 40, rooms: 10, seed: 3 }).start()
  const { logger, messages } = collectingLogger()
  const store = await FailingStore.open(made.path)
  const dir = await UserDirectory.openOnStore({ serverName: SERVER_NAME, warmSearch: false }, store)
  const imports = new BackgroundImport({
    directory: dir, exclusive: (task) => task(), live: new LiveChanges(), homeserverUrl: hs.url, accessToken: ADMIN_TOKEN,
    logger, clock: { now: () => Date.now() }, importOptions: { pageSize: 10, sleep: async () => {} }, retryAfterStoreFailureMs: 30,
  })
  try {
    store.failNext = 3
    imports.start({ reconcile: false })
    await imports.idle()
    assert.is(imports.status()?.phase, 'failed')
    assert.ok(messages.some((m) => /resumes later/.test(m)), `${messages}`)
    for (let i = 0; i < 100 && imports.status()?.phase !== 'done'; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.is(imports.status()?.phase, 'done', 'the import resumed and finished by itself')
    assert.ok(dir.stats().localUsers > 0)
    assert.equal(watch.strays, [])
  } finally {
    watch.stop()
    await imports.stop()
    await dir.close()
    await hs.stop()
    made.remove()
  }
})

test('a search warm-up that fails resolves as cancelled, logs, and does not reject', async () => {
  const watch = watchStrays()
  const { logger, messages } = collectingLogger()
  const clock = new FakeClock(0)
  const warmer = new SearchWarmer({ index: () => { throw new Error('index unavailable') }, searcher: new Searcher(), preferLocal: false }, clock, logger)
  try {
    const report = await warmer.warm()
    assert.is(report.cancelled, true)
    assert.ok(messages.some((m) => /search warm-up failed/.test(m)), `${messages}`)
    assert.ok(clock.pendingTimers > 0, 'a retry is scheduled')
    await clock.advance(60_000)
    await settle()
    assert.equal(watch.strays, [])
  } finally {
    warmer.cancel()
    watch.stop()
  }
})

test.run()
