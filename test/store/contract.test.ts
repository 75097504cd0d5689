// One store contract, run against both stores: LmdbStore (a temporary
// directory per case) and its memory twin MemoryStore. A case here states
// what UserDirectory relies on from any DirectoryStore. Where the two may
// differ by contract (DirectoryStore.load: LMDB hands out fresh Maps in key
// order, a MemoryStore its own containers), the twin says which it does.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../src/index.js'
import type { StateDelta } from '../../src/rooms/index.js'
import { LmdbStore, MemoryStore } from '../../src/store/index.js'
import type { DirectoryStore } from '../../src/store/index.js'
import { FakeClock } from '../../src/testing/fake-clock.js'
import type { StoredState } from '../../src/store/index.js'
import { StoreModel, emptyBatch, memberList, numberedBatch, plain, roomId, tempDir, userId } from './store-fixtures.js'

interface Twin {
  name: string
  open(): Promise<DirectoryStore>
  /** The same facts again after `close()`: LMDB opens the same path, a MemoryStore reopens itself. */
  reopen(closed: DirectoryStore): Promise<DirectoryStore>
  /** `load()` hands out the store's own containers (the caller owns them), not fresh copies in key order. */
  handsOutOwnContainers: boolean
}

const dirs: { remove(): void }[] = []
const lmdbPaths = new WeakMap<DirectoryStore, string>()
const twins: Twin[] = [
  {
    name: 'LmdbStore',
    open: async () => {
      const made = tempDir('userdir-contract-')
      dirs.push(made)
      const store = await LmdbStore.open(made.path)
      lmdbPaths.set(store, made.path)
      return store
    },
    reopen: async (closed) => {
      const path = lmdbPaths.get(closed) as string
      const store = await LmdbStore.open(path)
      lmdbPaths.set(store, path)
      return store
    },
    handsOutOwnContainers: false,
  },
  { name: 'MemoryStore', open: async () => new MemoryStore(), reopen: async (closed) => (closed as MemoryStore).reopen(), handsOutOwnContainers: true },
]

// What every store must return alike: room-level state only (a MemoryStore's
// rooms carry their members too), a room whose state is all null being the
// same as one not listed (types.ts, StoredState.rooms).
function comparable(state: StoredState): unknown {
  const rooms = new Map([...state.rooms].flatMap(([id, room]) => (room.joinRule === null && room.historyVisibility === null ? [] : [[id, { joinRule: room.joinRule, historyVisibility: room.historyVisibility }] as const])))
  return plain({ ...state, rooms })
}

const member = (roomId: string, userId: string, membership: string, n: number, content: Record<string, unknown> = {}): StateDelta => ({
  room_id: roomId, type: 'm.room.member', state_key: userId, content: { ...content, membership }, event_id: `$m${n}`,
})
const state = (roomId: string, type: string, content: Record<string, unknown>, n: number): StateDelta => ({ room_id: roomId, type, state_key: '', content, event_id: `$s${n}` })

for (const twin of twins) {
  const test = suite(`store contract: ${twin.name}`)
  const open: DirectoryStore[] = []
  const store = async (): Promise<DirectoryStore> => {
    const made = await twin.open()
    open.push(made)
    return made
  }
  test.after(async () => {
    for (const made of open.splice(0)) await made.close()
  })

  test('an empty store loads no facts and no position, and has no meta', async () => {
    const s = await store()
    assert.equal(comparable(s.load()), plain(new StoreModel().state()))
    assert.is(s.load().position, null)
    assert.is(s.getMeta('anything'), undefined)
    assert.equal([...s.metaEntries('')], [])
  })

  test('load after commits returns what was committed, members in (room, user) order', async () => {
    const s = await store()
    const model = new StoreModel()
    for (let n = 1; n <= 6; n++) {
      const batch = numberedBatch(n)
      s.commit(batch)
      model.apply(batch)
      assert.equal(comparable(s.load()), plain(model.state()), `after batch ${n}`)
    }
    const state = s.load()
    assert.is(state.position, 6)
    // LMDB reads in key order; a MemoryStore's containers keep the order records arrived in.
    if (!twin.handsOutOwnContainers) assert.equal(memberList(state), memberList(model.state()))
    for (const joined of state.members.values()) assert.ok(joined.size > 0, 'a room with no members left is not listed')
  })

  test('a batch without a position keeps the stored one', async () => {
    const s = await store()
    s.commit({ ...emptyBatch(), position: 7 })
    s.commit({ ...emptyBatch(), entries: [[userId('@a:x.org'), { displayName: 'A', avatarUrl: null }]] })
    const state = s.load()
    assert.is(state.position, 7)
    assert.equal(state.entries.get(userId('@a:x.org')), { displayName: 'A', avatarUrl: null })
  })

  test('meta: put, get, list by prefix in key order, delete with null or undefined', async () => {
    const s = await store()
    s.commit({ ...emptyBatch(), meta: [['p:b', { n: 2, list: ['x'] }], ['p:a', 1], ['q:c', 'three'], ['p:c', true]] })
    assert.equal(s.getMeta('p:b'), { n: 2, list: ['x'] })
    assert.is(s.getMeta('p:a'), 1)
    assert.is(s.getMeta('q:c'), 'three')
    assert.equal([...s.metaEntries('p:')], [['p:a', 1], ['p:b', { n: 2, list: ['x'] }], ['p:c', true]])
    s.commit({ ...emptyBatch(), meta: [['p:a', null], ['p:c', undefined]] })
    assert.is(s.getMeta('p:a'), undefined)
    assert.is(s.getMeta('p:c'), undefined)
    assert.equal([...s.metaEntries('p:')], [['p:b', { n: 2, list: ['x'] }]])
    assert.equal([...s.metaEntries('')].map(([key]) => key), ['p:b', 'q:c'])
  })

  test('a commit is whole or nothing: a meta value that cannot be stored leaves the store as it was', async () => {
    const s = await store()
    const model = new StoreModel()
    const first = numberedBatch(1)
    s.commit(first)
    model.apply(first)
    const bad = numberedBatch(2)
    bad.meta = [['fine', 1], ['bad', { s: Symbol('not storable') }]]
    assert.throws(() => s.commit(bad), /bad/)
    assert.equal(comparable(s.load()), plain(model.state()))
    assert.is(s.load().position, 1)
    assert.is(s.getMeta('fine'), undefined)
    assert.equal(s.getMeta('last-batch'), { n: 1, note: 'batch 1' })
    // The store still takes the next good batch.
    const next = numberedBatch(2)
    s.commit(next)
    model.apply(next)
    assert.equal(comparable(s.load()), plain(model.state()))
  })

  test('load() hands out containers the caller owns; meta values are copied at commit and at every read', async () => {
    const s = await store()
    const entry = { displayName: 'Alice', avatarUrl: null }
    const user = { userType: null, deactivated: false, locked: false }
    const meta = { cursor: 'a', seen: [1] }
    s.commit({
      ...emptyBatch(),
      rooms: [[roomId('!r:x.org'), { joinRule: 'public', historyVisibility: null }]],
      members: [[roomId('!r:x.org'), userId('@a:x.org'), entry]],
      localUsers: [[userId('@a:x.org'), user]],
      entries: [[userId('@a:x.org'), entry]],
      meta: [['m', meta]],
    })
    // Records are the caller's to replace, never to change (the contract); meta values are copied.
    meta.seen.push(2)
    const loaded = s.load()
    assert.equal(loaded.entries.get(userId('@a:x.org')), { displayName: 'Alice', avatarUrl: null })
    assert.equal(loaded.localUsers.get(userId('@a:x.org')), { userType: null, deactivated: false, locked: false })
    assert.equal(s.getMeta('m'), { cursor: 'a', seen: [1] })
    ;(s.getMeta('m') as { seen: number[] }).seen.push(3)
    assert.equal(s.getMeta('m'), { cursor: 'a', seen: [1] })
    // The caller owns what load() returned: a container changed by it is the
    // store's own (a MemoryStore, which holds each fact once) or a copy (LMDB).
    loaded.entries.delete(userId('@a:x.org'))
    loaded.members.get(roomId('!r:x.org'))?.delete(userId('@a:x.org'))
    const again = s.load()
    if (twin.handsOutOwnContainers) {
      assert.is(again.entries, loaded.entries)
      assert.is(again.localUsers, loaded.localUsers)
      assert.is(again.rooms, loaded.rooms)
      assert.is(again.entries.get(userId('@a:x.org')), undefined)
      assert.is(again.members.get(roomId('!r:x.org')), undefined, 'a room with no members left lists none')
      // Committed again, the records are back.
      s.commit({ ...emptyBatch(), members: [[roomId('!r:x.org'), userId('@a:x.org'), entry]], entries: [[userId('@a:x.org'), entry]] })
      assert.is(s.load().entries.get(userId('@a:x.org')), entry)
    } else {
      assert.is.not(again.entries, loaded.entries)
      assert.equal(again.entries.get(userId('@a:x.org')), { displayName: 'Alice', avatarUrl: null })
    }
    assert.equal(s.load().members.get(roomId('!r:x.org'))?.get(userId('@a:x.org')), { displayName: 'Alice', avatarUrl: null })
    assert.equal(comparable(s.load()), comparable(new StoreModel().apply({
      ...emptyBatch(),
      rooms: [[roomId('!r:x.org'), { joinRule: 'public', historyVisibility: null }]],
      members: [[roomId('!r:x.org'), userId('@a:x.org'), entry]],
      localUsers: [[userId('@a:x.org'), user]],
      entries: [[userId('@a:x.org'), entry]],
    }).state()))
  })

  test('a fresh store is writable; releaseMappedPages keeps it usable', async () => {
    const s = await store()
    assert.is(s.notWritableBecause, null)
    assert.is(await s.recheck(), null)
    s.commit(numberedBatch(1))
    await s.releaseMappedPages()
    assert.equal(comparable(s.load()), plain(new StoreModel().apply(numberedBatch(1)).state()))
  })

  test('the facts and meta survive close and reopen, through many merges, and the reopened store takes commits', async () => {
    const s = await store()
    const model = new StoreModel()
    for (let n = 1; n <= 8; n++) {
      const batch = numberedBatch(n, 400)
      s.commit(batch)
      model.apply(batch)
    }
    await s.close()
    const again = await twin.reopen(s)
    open.push(again)
    assert.equal(comparable(again.load()), plain(model.state()))
    assert.is(again.load().position, 8)
    assert.equal(again.getMeta('last-batch'), { n: 8, note: 'batch 8' })
    const next = numberedBatch(9, 400)
    again.commit(next)
    model.apply(next)
    assert.equal(comparable(again.load()), plain(model.state()))
  })

  test('a directory that commits and closes leaves its facts to a new directory on the same store', async () => {
    const options = { serverName: 'x.org', clock: new FakeClock(1_000), warmSearch: false }
    const s = await twin.open()
    const first = await UserDirectory.openOnStore(options, s)
    for (const name of ['alice', 'bob', 'carol']) {
      await first.registerLocalUser(`@${name}:x.org`)
      await first.handleLocalProfileChange(`@${name}:x.org`, { displayName: name[0].toUpperCase() + name.slice(1), avatarUrl: null })
    }
    await first.ingest([member('!pub:x.org', '@alice:x.org', 'join', 1), state('!pub:x.org', 'm.room.join_rules', { join_rule: 'public' }, 2)], { position: 1 })
    await first.ingest([member('!pub:x.org', '@zed:y.org', 'join', 3, { displayname: 'Zed' }), member('!priv:x.org', '@bob:x.org', 'join', 4), member('!priv:x.org', '@carol:x.org', 'join', 5)], { position: 2 })
    await first.ingest([member('!priv:x.org', '@carol:x.org', 'leave', 6)], { position: 3 })
    await first.setUserLocked('@carol:x.org', true)
    await first.importAccess.setMeta('cursor', { at: 3 })
    const tables = first.tables()
    const found = await first.search('@bob:x.org', 'a')
    assert.ok(tables.inPublicRooms.length > 0 && found.results.length > 0, 'the scenario stored something to find')
    await first.close()

    const second = await UserDirectory.openOnStore(options, await twin.reopen(s))
    try {
      assert.equal(second.tables(), tables)
      assert.equal(await second.search('@bob:x.org', 'a'), found)
      assert.is(second.streamPosition(), 3)
      assert.equal(second.importAccess.localUser('@carol:x.org'), { userType: null, deactivated: false, locked: true })
      assert.equal(second.importAccess.getMeta('cursor'), { at: 3 })
    } finally {
      await second.close()
    }
  })

  test('close is idempotent, and the store cannot be used after it', async () => {
    const s = await twin.open()
    await s.close()
    await s.close()
    assert.throws(() => s.load(), /after close/)
    assert.throws(() => s.commit(emptyBatch()), /after close/)
    assert.throws(() => s.getMeta('k'), /after close/)
  })

  test.run()
}

const cleanup = suite('store contract: cleanup')
cleanup('removes the temporary LMDB directories', () => {
  for (const made of dirs.splice(0)) made.remove()
})
cleanup.run()
