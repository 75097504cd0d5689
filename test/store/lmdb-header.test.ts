import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { open } from 'lmdb'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LMDB_HEADER_BYTES, checkLmdbHeader } from '../../src/store/lmdb-header.js'
import { tempDir } from './store-fixtures.js'

const test = suite('src/store/lmdb-header.ts')
let real: Buffer
const made = tempDir()
test.before(async () => {
  const env = open(made.path, {})
  env.putSync('k', 'v')
  await env.close()
  real = readFileSync(join(made.path, 'data.mdb'))
})
test.after(() => made.remove())

test('a data.mdb written by lmdb-js 3 passes, with its page size', () => {
  assert.equal(checkLmdbHeader(real, real.length), { isLmdb: true, pageSizeBytes: 4096 })
})

test('random bytes are not an LMDB file', () => {
  const bytes = new Uint8Array(8192).map((_, i) => (i * 7919) & 0xff)
  assert.equal(checkLmdbHeader(bytes, bytes.length), { isLmdb: false, problem: 'it is not an LMDB file (no LMDB magic number in its header)' })
})

test('a file shorter than the first meta page is too short', () => {
  assert.equal(checkLmdbHeader(real.subarray(0, 20), 20), { isLmdb: false, problem: 'it is too short to be an LMDB file (20 bytes)' })
})

test('a file cut inside its second meta page is truncated', () => {
  const head = real.subarray(0, 5000)
  assert.equal(checkLmdbHeader(head, head.length), { isLmdb: false, problem: 'it is truncated (5000 bytes, less than its two 4096-byte meta pages)' })
})

test('upstream LMDB 0.9 layout (magic at byte 16) is named as another LMDB build', () => {
  const bytes = new Uint8Array(8192)
  const view = new DataView(bytes.buffer)
  view.setUint16(10, 0x08, true)
  view.setUint32(16, 0xbeefc0de, true)
  view.setUint32(20, 1, true)
  assert.equal(checkLmdbHeader(bytes, bytes.length), {
    isLmdb: false,
    problem: 'it is an LMDB file of another LMDB build (16-byte page header, data version 1) that lmdb-js 3 cannot open',
  })
})

test('another data version is refused by number', () => {
  const bytes = Buffer.from(real)
  bytes.writeUInt32LE(3, 28)
  assert.equal(checkLmdbHeader(bytes, bytes.length), { isLmdb: false, problem: 'it is an LMDB file of data version 3; lmdb-js 3 reads version 2' })
})

test('an impossible page size and a second page without magic are refused', () => {
  const badSize = Buffer.from(real)
  badSize.writeUInt32LE(1000, 48)
  assert.equal(checkLmdbHeader(badSize, badSize.length), { isLmdb: false, problem: 'its header gives an impossible page size (1000 bytes)' })
  const badSecond = Buffer.from(real)
  badSecond.writeUInt32LE(0, 4096 + 24)
  assert.equal(checkLmdbHeader(badSecond, badSecond.length), { isLmdb: false, problem: 'its second meta page has no LMDB magic number' })
  assert.ok(LMDB_HEADER_BYTES <= 64)
})

test.run()
