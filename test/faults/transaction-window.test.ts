// Issue 19, item 9: applied transaction ids are kept for a bounded window
// (the last 10,000), pruned in the same commit that adds new ones, in
// memory and in the store alike; an id longer than LMDB can key is hashed.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../src/index.js'
import { TRANSACTION_KEY_PREFIX, TRANSACTION_WINDOW, TransactionWindow, transactionKey } from '../../src/directory/transaction-window.js'
import { LmdbStore } from '../../src/store/index.js'
import { tempDir } from '../store/store-fixtures.js'

const test = suite('faults/transaction-window')

function storedIds(path: string): Promise<string[]> {
  return LmdbStore.open(path).then(async (store) => {
    const keys = [...store.metaEntries(TRANSACTION_KEY_PREFIX)].map(([key]) => key)
    await store.close()
    return keys
  })
}

test('the store keeps the last 10,000 transaction ids: older ones are deleted by the commit that adds new ones, and forgotten in memory', async () => {
  const made = tempDir()
  try {
    let dir = await UserDirectory.open({ serverName: 'test', path: made.path, warmSearch: false })
    // One commit for 10,000 ids, then one per id.
    await dir.batch(async () => {
      for (let i = 0; i < TRANSACTION_WINDOW; i++) await dir.ingest([], { transactionId: `t${i}` })
    })
    assert.ok(dir.isTransactionApplied('t0'))
    await dir.ingest([], { transactionId: 'next-1' })
    await dir.ingest([], { transactionId: 'next-2' })
    assert.not.ok(dir.isTransactionApplied('t0'), 'the oldest id left the window')
    assert.not.ok(dir.isTransactionApplied('t1'))
    assert.ok(dir.isTransactionApplied('t2'))
    assert.ok(dir.isTransactionApplied('next-2'))
    await dir.close()
    const stored = await storedIds(made.path)
    assert.is(stored.length, TRANSACTION_WINDOW)
    assert.not.ok(stored.includes(transactionKey('t0')) || stored.includes(transactionKey('t1')))
    dir = await UserDirectory.open({ serverName: 'test', path: made.path, warmSearch: false })
    assert.not.ok(dir.isTransactionApplied('t1'))
    assert.ok(dir.isTransactionApplied('t2') && dir.isTransactionApplied('next-1'), 'the window survives a restart, in order')
    await dir.ingest([], { transactionId: 'after-restart' })
    assert.not.ok(dir.isTransactionApplied('t2'), 'after a restart the oldest stored id is the next to go')
    await dir.close()
  } finally {
    made.remove()
  }
})

test('more ids than the window in one batch: only the newest 10,000 are stored', async () => {
  const made = tempDir()
  try {
    const dir = await UserDirectory.open({ serverName: 'test', path: made.path, warmSearch: false })
    await dir.batch(async () => {
      for (let i = 0; i < TRANSACTION_WINDOW + 5; i++) await dir.ingest([], { transactionId: `t${i}` })
    })
    assert.not.ok(dir.isTransactionApplied('t4'))
    assert.ok(dir.isTransactionApplied('t5'))
    await dir.close()
    assert.is((await storedIds(made.path)).length, TRANSACTION_WINDOW)
  } finally {
    made.remove()
  }
})

test('a store written before the window (every id kept, value true) is cut to the window at open', async () => {
  const made = tempDir()
  try {
    const store = await LmdbStore.open(made.path)
    const legacy: [string, unknown][] = []
    for (let i = 0; i < TRANSACTION_WINDOW + 300; i++) legacy.push([`txn:old-${i}`, true])
    store.commit({ rooms: [], members: [], localUsers: [], entries: [], stale: [], meta: legacy })
    await store.close()
    const dir = await UserDirectory.open({ serverName: 'test', path: made.path, warmSearch: false })
    await dir.ingest([], { transactionId: 'new' })
    assert.ok(dir.isTransactionApplied('new'))
    await dir.close()
    const stored = await storedIds(made.path)
    assert.is(stored.length, TRANSACTION_WINDOW)
    assert.ok(stored.includes('txn:new'))
  } finally {
    made.remove()
  }
})

test('an id longer than an LMDB key (1 MB) is hashed, applied once and remembered across a restart', async () => {
  const made = tempDir()
  try {
    const long = 'x'.repeat(1_000_000)
    let dir = await UserDirectory.open({ serverName: 'test', path: made.path, warmSearch: false })
    await dir.registerLocalUser('@a:test')
    const deltas = [{ room_id: '!r:test', type: 'm.room.member', state_key: '@a:test', content: { membership: 'join' } }]
    assert.not.ok((await dir.ingest(deltas, { transactionId: long })).duplicate)
    assert.is((await dir.ingest(deltas, { transactionId: long })).duplicate, true)
    assert.not.ok(dir.isTransactionApplied(long.slice(1)), 'another long id is not a duplicate')
    await dir.close()
    const stored = await storedIds(made.path)
    assert.equal(stored, [transactionKey(long)])
    assert.ok(stored[0].length < 100)
    dir = await UserDirectory.open({ serverName: 'test', path: made.path, warmSearch: false })
    assert.ok(dir.isTransactionApplied(long))
    await dir.close()
  } finally {
    made.remove()
  }
})

test('transactionKey: short ids as they are, long ones and ids starting with # hashed, so the two never meet', () => {
  assert.is(transactionKey('abc'), 'txn:abc')
  const hashed = transactionKey('y'.repeat(201))
  assert.match(hashed, /^txn:#[0-9a-f]{64}$/)
  assert.is(transactionKey(hashed.slice(4)), `txn:#${transactionKey(hashed.slice(4)).slice(5)}`)
  assert.is.not(transactionKey(hashed.slice(4)), hashed, 'an id spelling a hash is hashed itself')
  // 67 four-byte characters: 134 UTF-16 units but 268 bytes.
  assert.match(transactionKey('😀'.repeat(67)), /^txn:#/)
})

test('TransactionWindow: writes and memory agree whatever the sizes', () => {
  const window = new TransactionWindow(3)
  const stored = new Map<string, unknown>()
  const commit = (keys: string[]): void => {
    for (const [key, value] of window.writesFor(keys)) value === null ? stored.delete(key) : stored.set(key, value)
    window.confirm(keys)
  }
  commit(['a', 'b'])
  commit(['c', 'd'])
  commit(['e', 'f', 'g', 'h', 'i'])
  assert.equal([...stored.keys()].sort(), ['g', 'h', 'i'])
  for (const key of ['g', 'h', 'i']) assert.ok(window.has(key))
  assert.not.ok(window.has('f'))
  const reloaded = new TransactionWindow(3)
  assert.equal(reloaded.load(stored), [])
  commit(['j'])
  reloaded.load(stored)
  assert.equal(['h', 'i', 'j'].map((key) => reloaded.has(key)), [true, true, true])
})

test.run()
