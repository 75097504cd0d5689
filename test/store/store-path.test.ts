import { mkdirSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { UserDirectoryError } from '../../src/errors.js'
import { prepareStorePath } from '../../src/store/store-path.js'
import { tempDir } from './store-fixtures.js'

const test = suite('src/store/store-path.ts')
const made = tempDir()
test.after(() => made.remove())

test('a missing path is created as a directory and reported new and writable', () => {
  const path = join(made.path, 'new', 'deep')
  assert.equal(prepareStorePath(path), { isNew: true, notWritableBecause: null })
  assert.equal(readdirSync(path), [])
})

test('a directory with only a lock file or an empty data.mdb (an interrupted first open) is new', () => {
  const path = join(made.path, 'interrupted')
  mkdirSync(path)
  writeFileSync(join(path, 'lock.mdb'), '')
  writeFileSync(join(path, 'data.mdb'), '')
  assert.equal(prepareStorePath(path).isNew, true)
})

test('a data.mdb that is not LMDB throws M_UNKNOWN and stays as it was', () => {
  const path = join(made.path, 'foreign')
  mkdirSync(path)
  writeFileSync(join(path, 'data.mdb'), 'SQLite format 3\0' + 'x'.repeat(5000))
  assert.throws(() => prepareStorePath(path), (error: unknown) => error instanceof UserDirectoryError && error.errcode === 'M_UNKNOWN' && error.message.includes('not an LMDB file'))
  assert.equal(readdirSync(path), ['data.mdb'])
})

test('more than five other files are listed as five and an ellipsis', () => {
  const path = join(made.path, 'many')
  mkdirSync(path)
  for (let i = 0; i < 7; i++) writeFileSync(join(path, `f${i}`), '')
  assert.throws(() => prepareStorePath(path), /other files \(f0, f1, f2, f3, f4, …\)/)
})

test.run()
