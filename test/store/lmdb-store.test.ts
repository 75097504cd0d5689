import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { asBinary, open } from 'lmdb'
import { Packr } from 'msgpackr'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectoryError } from '../../src/errors.js'
import { FORMAT_NAME, FORMAT_VERSION, LmdbStore } from '../../src/store/index.js'
import { StoreModel, checksums, emptyBatch, memberList, numberedBatch, plain, roomId, tempDir, userId } from './store-fixtures.js'

const test = suite('src/store/lmdb-store.ts')
const dirs: { remove(): void }[] = []
function dir(): string {
  const made = tempDir()
  dirs.push(made)
  return made.path
}
test.after(() => {
  for (const made of dirs) made.remove()
})

async function rejection(promise: Promise<unknown>): Promise<UserDirectoryError> {
  try {
    await promise
  } catch (error) {
    assert.instance(error, UserDirectoryError)
    return error as UserDirectoryError
  }
  throw new Error('expected a UserDirectoryError')
}

function throwsUserDirectoryError(action: () => unknown): UserDirectoryError {
  try {
    action()
  } catch (error) {
    assert.instance(error, UserDirectoryError)
    return error as UserDirectoryError
  }
  throw new Error('expected a UserDirectoryError')
}

/** Writes raw msgpack records into a closed store with plain lmdb, as a damaged or foreign writer would. */
async function writeRaw(path: string, database: string, records: [unknown, unknown][]): Promise<void> {
  const env = open(path, {})
  const db = env.openDB({ name: database, encoding: 'binary' })
  const packr = new Packr({ useRecords: false })
  env.transactionSync(() => {
    for (const [key, value] of records) db.putSync(key as string, asBinary(packr.pack(value)))
  })
  await env.close()
}

test('a path that does not exist is created and loads as an empty store with no position', async () => {
  const path = join(dir(), 'a', 'b')
  const store = await LmdbStore.open(path)
  assert.equal(plain(store.load()), plain(new StoreModel().state()))
  assert.is(store.isReadOnly, false)
  await store.close()
})

test('an empty directory is initialised', async () => {
  const store = await LmdbStore.open(dir())
  assert.is(store.load().position, null)
  await store.close()
})

test('every fact kind, the position and meta values survive close and reopen', async () => {
  const path = dir()
  const model = new StoreModel()
  const store = await LmdbStore.open(path)
  for (let n = 1; n <= 5; n++) store.commit(numberedBatch(n))
  for (let n = 1; n <= 5; n++) model.apply(numberedBatch(n))
  assert.equal(plain(store.load()), plain(model.state()))
  await store.close()
  const reopened = await LmdbStore.open(path)
  const state = reopened.load()
  assert.equal(plain(state), plain(model.state()))
  assert.ok(state.rooms.size > 0 && state.members.size > 0 && state.localUsers.size > 0 && state.entries.size > 0 && state.stale.size > 0)
  assert.is(state.position, 5)
  assert.equal(reopened.getMeta('last-batch'), { n: 5, note: 'batch 5' })
  assert.is(reopened.getMeta('never-written'), undefined)
  await reopened.close()
})

test('null and undefined delete records; a batch without a position keeps the stored one', async () => {
  const store = await LmdbStore.open(dir())
  const room = roomId('!a:x.org')
  const alice = userId('@alice:x.org')
  const bob = userId('@bob:y.org')
  store.commit({
    rooms: [[room, { joinRule: 'public', historyVisibility: 'shared' }]],
    members: [[room, alice, null], [room, bob, { displayName: 'Bob', avatarUrl: 'mxc://y.org/b' }]],
    localUsers: [[alice, { userType: 'bot', deactivated: false, locked: true }]],
    entries: [[alice, { displayName: 'Alice', avatarUrl: null }], [bob, { displayName: 'Bob', avatarUrl: 'mxc://y.org/b' }]],
    stale: [[bob, { nextTryAtMs: 1_700_000_000_000, retryCounter: 2 }]],
    position: 10,
    meta: [['txn', ['t1', 't2']]],
  })
  const loaded = store.load()
  assert.equal(memberList(loaded), [[room, alice, null], [room, bob, { displayName: 'Bob', avatarUrl: 'mxc://y.org/b' }]])
  assert.equal(loaded.localUsers.get(alice), { userType: 'bot', deactivated: false, locked: true })
  assert.equal(loaded.stale.get(bob), { nextTryAtMs: 1_700_000_000_000, retryCounter: 2 })
  store.commit({ rooms: [[room, null]], members: [[room, bob, undefined]], localUsers: [], entries: [[bob, null]], stale: [[bob, null]], meta: [['txn', null]] })
  const after = store.load()
  assert.equal(after.rooms.size, 0)
  assert.equal(memberList(after), [[room, alice, null]])
  assert.equal([...after.entries.keys()], [alice])
  assert.equal(after.stale.size, 0)
  assert.is(after.position, 10)
  assert.is(store.getMeta('txn'), undefined)
  await store.close()
})

test('a batch that fails mid-transaction leaves nothing of itself, in memory or after reopen', async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  store.commit(numberedBatch(1))
  const before = plain(store.load())
  const batch = numberedBatch(2)
  // Rooms, members and local users are written first; then LMDB refuses a key over its 1,978-byte limit.
  batch.entries.push([userId(`@${'x'.repeat(3_000)}:x.org`), { displayName: 'too long', avatarUrl: null }])
  const error = throwsUserDirectoryError(() => store.commit(batch))
  assert.is(error.errcode, 'M_UNKNOWN')
  assert.match(error.message, `could not commit a batch to the store at ${path}`)
  assert.match(error.message, 'Nothing of this batch was stored')
  assert.equal(plain(store.load()), before)
  assert.equal(store.getMeta('last-batch'), { n: 1, note: 'batch 1' })
  store.commit(numberedBatch(2))
  assert.is(store.load().position, 2)
  await store.close()
  const reopened = await LmdbStore.open(path)
  assert.equal(plain(reopened.load()), plain(new StoreModel().apply(numberedBatch(1)).apply(numberedBatch(2)).state()))
  await reopened.close()
})

test('a meta value msgpack cannot encode is a plain Error naming its key, and nothing is written', async () => {
  const store = await LmdbStore.open(dir())
  const batch = numberedBatch(1)
  batch.meta = [['ok', 1], ['bad', Symbol('no')]]
  assert.throws(() => store.commit(batch), (error: unknown) => !(error instanceof UserDirectoryError) && error instanceof Error && error.message.includes('"bad"'))
  assert.equal(plain(store.load()), plain(new StoreModel().state()))
  assert.is(store.getMeta('ok'), undefined)
  await store.close()
})

test('a store of an unknown format version is refused, naming both versions, and its files are untouched', async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  store.commit(numberedBatch(1))
  await store.close()
  await writeRaw(path, 'meta', [['store/format', { format: FORMAT_NAME, version: FORMAT_VERSION + 1 }]])
  const sums = checksums(path)
  const error = await rejection(LmdbStore.open(path))
  assert.is(error.errcode, 'M_UNKNOWN')
  assert.is(
    error.message,
    `cannot use ${path} as a store: it holds a matrix-userdir store of format version 2, and this build reads version 1. Open it with the build that wrote it, or rebuild the directory into a new path. Nothing was changed.`,
  )
  assert.equal(checksums(path), sums)
})

test('random bytes as data.mdb are refused before LMDB opens them, and the directory is untouched', async () => {
  const path = dir()
  const bytes = Buffer.alloc(3 * 4096)
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2_654_435_761) >>> 24
  writeFileSync(join(path, 'data.mdb'), bytes)
  const sums = checksums(path)
  const error = await rejection(LmdbStore.open(path))
  assert.is(
    error.message,
    `cannot use ${path} as a store: its data.mdb cannot be opened: it is not an LMDB file (no LMDB magic number in its header). It is not a matrix-userdir store; give a new or empty directory, or move that file away. Nothing was changed.`,
  )
  assert.equal(checksums(path), sums)
  assert.equal(Object.keys(checksums(path)), ['data.mdb'])
})

test('an LMDB environment written by plain lmdb is refused as not ours, and its data is untouched', async () => {
  const path = dir()
  const env = open(path, {})
  env.putSync('hello', 'world')
  env.openDB({ name: 'things' }).putSync(1, { a: 1 })
  await env.close()
  const sums = checksums(path)
  const error = await rejection(LmdbStore.open(path))
  assert.is(
    error.message,
    `cannot use ${path} as a store: it holds an LMDB environment that is not a matrix-userdir store (no matrix-userdir format marker; its main database has the keys "hello", "things"). Use a new or empty directory for the store. Nothing was changed.`,
  )
  assert.equal(checksums(path), sums)
})

test('an environment with a meta database but another marker is refused as not ours', async () => {
  const path = dir()
  await writeRaw(path, 'meta', [['store/format', { format: 'something-else', version: 1 }]])
  const sums = checksums(path)
  const error = await rejection(LmdbStore.open(path))
  assert.match(error.message, 'is not a matrix-userdir store')
  assert.equal(checksums(path), sums)
})

test('a path that is a file, or a directory of other files, is refused', async () => {
  const parent = dir()
  const file = join(parent, 'notes.txt')
  writeFileSync(file, 'hello')
  const fileError = await rejection(LmdbStore.open(file))
  assert.is(fileError.message, `cannot use ${file} as a store: it is a file, not a directory. Give the path of a directory: a new or empty one creates a store. Nothing was changed.`)
  const busy = join(parent, 'busy')
  mkdirSync(busy)
  writeFileSync(join(busy, 'a.txt'), 'a')
  const busyError = await rejection(LmdbStore.open(busy))
  assert.match(busyError.message, 'it is a directory of other files (a.txt) without an LMDB data.mdb')
  assert.equal(readdirSync(busy), ['a.txt'])
  assert.equal(readdirSync(parent).sort(), ['busy', 'notes.txt'])
})

test('a first open that stopped before the format marker is initialised on the next open', async () => {
  const path = dir()
  const env = open(path, {})
  for (const name of ['rooms', 'meta']) env.openDB({ name })
  await env.close()
  const store = await LmdbStore.open(path)
  store.commit(numberedBatch(1))
  assert.is(store.load().position, 1)
  await store.close()
})

test('a damaged record makes load throw a UserDirectoryError naming the store and the record', async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  store.commit(numberedBatch(1))
  await store.close()
  await writeRaw(path, 'entries', [['@eve:x.org', { not: 'a tuple' }]])
  const reopened = await LmdbStore.open(path)
  const error = throwsUserDirectoryError(() => reopened.load())
  assert.is(
    error.message,
    `the store at ${path} is damaged: the entries record "@eve:x.org" holds {"not":"a tuple"}, not what format 1 stores in entries. Rebuild it into a new directory.`,
  )
  await reopened.close()
})

test('readOnly: commit throws a clear error, reads keep working, and a missing store cannot be opened read-only', async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  store.commit(numberedBatch(1))
  await store.close()
  const sums = checksums(path)
  const readOnly = await LmdbStore.open(path, { readOnly: true })
  assert.is(readOnly.isReadOnly, true)
  const error = throwsUserDirectoryError(() => readOnly.commit(numberedBatch(2)))
  assert.is(error.message, `cannot commit to the store at ${path}: it is open read-only (opened with readOnly). Nothing of this batch was stored.`)
  assert.is(readOnly.load().position, 1)
  assert.equal(readOnly.getMeta('last-batch'), { n: 1, note: 'batch 1' })
  await readOnly.close()
  assert.equal(checksums(path), sums)
  const missing = await rejection(LmdbStore.open(join(path, 'nothing-here'), { readOnly: true }))
  assert.match(missing.message, 'there is no store there to open read-only')
})

test('mapSizeBytes is a starting size: LMDB grows the map, so a batch far larger than it commits', async () => {
  const path = dir()
  const store = await LmdbStore.open(path, { mapSizeBytes: 64 * 1024 })
  const batch = emptyBatch()
  for (let i = 0; i < 20_000; i++) batch.entries.push([userId(`@user${i}:x.org`), { displayName: `User ${i} ${'x'.repeat(40)}`, avatarUrl: null }])
  store.commit(batch)
  assert.is(store.load().entries.size, 20_000)
  await store.close()
})

test("meta keys of other layers cannot overwrite the store's own records", async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  store.commit({ ...emptyBatch(), position: 4, meta: [['store/format', 'mine'], ['store/position', 'mine'], ['format', 'mine']] })
  await store.close()
  const reopened = await LmdbStore.open(path)
  assert.is(reopened.load().position, 4)
  assert.is(reopened.getMeta('store/format'), 'mine')
  await reopened.close()
})

// Resident KiB of this process's mappings of `file` (Linux /proc/self/smaps), or undefined elsewhere.
function residentKiB(file: string): number | undefined {
  if (!existsSync('/proc/self/smaps')) return undefined
  let total = 0
  let inFile = false
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inFile = line.endsWith(` ${file}`)
    else if (inFile && line.startsWith('Rss:')) total += Number(line.split(/\s+/)[1])
  }
  return total
}

test('releaseMappedPages: the pages a load touched leave resident memory; the store loads, commits and reopens as before', async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  const batch = emptyBatch()
  for (let i = 0; i < 20_000; i++) batch.entries.push([userId(`@user${i}:x.org`), { displayName: `User ${i} ${'x'.repeat(40)}`, avatarUrl: null }])
  batch.position = 1
  store.commit(batch)
  const loaded = plain(store.load())
  const before = residentKiB(join(path, 'data.mdb'))
  await store.releaseMappedPages()
  const after = residentKiB(join(path, 'data.mdb'))
  if (before !== undefined && after !== undefined) {
    assert.ok(before > 1024, `a whole load maps the store in (${before} KiB resident)`)
    assert.ok(after < before / 4, `after release ${after} KiB of ${before} KiB stay resident`)
  }
  assert.equal(plain(store.load()), loaded)
  store.commit(numberedBatch(2))
  const model = new StoreModel()
  model.apply(batch)
  model.apply(numberedBatch(2))
  await store.close()
  const reopened = await LmdbStore.open(path)
  assert.equal(plain(reopened.load()), plain(model.state()))
  await reopened.close()
  const afterClose = await reopened.releaseMappedPages().then(() => undefined, (error: unknown) => error)
  assert.match(String(afterClose), /after close/)
})

test('close is idempotent, and use after close is a programmer error', async () => {
  const store = await LmdbStore.open(dir())
  await Promise.all([store.close(), store.close()])
  await store.close()
  assert.throws(() => store.load(), (error: unknown) => !(error instanceof UserDirectoryError) && /after close/.test(String(error)))
  assert.throws(() => store.commit(emptyBatch()), /after close/)
})

const child = join(import.meta.dirname, 'failure-child.ts')

test('a commit that fails for a full disk throws, keeps the store as it was, and later commits work', async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  store.commit(numberedBatch(1))
  await store.close()
  // ulimit -f (1 KiB blocks in bash): writes past 192 KiB fail with EFBIG, as on a full disk.
  const run = spawnSync('bash', ['-c', 'ulimit -f 192 && exec "$0" --import tsx "$1" disk-full "$2"', process.execPath, child, path], { encoding: 'utf8' })
  assert.is(run.status, 0, run.stderr)
  const report = JSON.parse(run.stdout)
  assert.is(report.commit.errcode, 'M_UNKNOWN')
  assert.match(report.commit.message, `could not commit a batch to the store at ${path}:`)
  assert.match(report.commit.message, 'Nothing of this batch was stored; the store holds what it held before. Check free disk space')
  assert.equal(report.after, { entries: report.before, position: 1 })
  assert.is(report.afterSmall, 3)
  const reopened = await LmdbStore.open(path)
  assert.equal(plain(reopened.load()), plain(new StoreModel().apply(numberedBatch(1)).apply({ ...emptyBatch(), entries: [[userId('@small:x.org'), { displayName: 'small', avatarUrl: null }]], position: 3 }).state()))
  await reopened.close()
})

test('a store whose directory is not writable opens read-only with a warning; commits throw and reads work', async () => {
  const path = dir()
  const store = await LmdbStore.open(path)
  store.commit(numberedBatch(1))
  await store.close()
  chmodSync(join(path, 'data.mdb'), 0o444)
  chmodSync(path, 0o555)
  // root ignores file modes: run the child as `nobody` then.
  const asUser = process.getuid?.() === 0 ? { uid: 65_534, gid: 65_534 } : {}
  // `nobody` must be able to read the checkout (a clone under a 0700 directory is not).
  const readable = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(child)})`], asUser).status === 0
  if (!readable) {
    chmodSync(path, 0o755)
    chmodSync(join(path, 'data.mdb'), 0o644)
    console.log(`  skipped: ${child} is not readable by the unprivileged user the child must run as`)
    return
  }
  const run = spawnSync(process.execPath, ['--import', 'tsx', child, 'not-writable', path], { encoding: 'utf8', ...asUser })
  chmodSync(path, 0o755)
  chmodSync(join(path, 'data.mdb'), 0o644)
  assert.is(run.status, 0, run.stderr)
  const report = JSON.parse(run.stdout)
  assert.is(report.isReadOnly, true)
  assert.equal(report.warnings, ['store is not writable: opened read-only; commits will fail'])
  assert.is(report.commit.message, `cannot commit to the store at ${path}: it is open read-only (${path} is not writable (EACCES)). Nothing of this batch was stored.`)
  assert.equal(report.after, { entries: report.before, position: 1 })
})

test.run()
