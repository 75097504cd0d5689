// Child process of lmdb-store.test.ts for failures that need process-level
// limits: `disk-full` runs under `ulimit -f` (writes past the limit fail
// with EFBIG), `not-writable` runs as a user who cannot write the files.
// Prints one JSON line with what it saw.
import { pino } from 'pino'
import { LmdbStore } from '../../src/store/index.js'
import { UserDirectoryError } from '../../src/errors.js'
import { emptyBatch, userId } from './store-fixtures.js'

const [scenario, dir] = process.argv.slice(2)
if (dir === undefined) throw new Error('usage: failure-child.ts disk-full|not-writable <dir>')
const warnings: string[] = []
const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line).msg) })
const store = await LmdbStore.open(dir, { logger })
const report: Record<string, unknown> = { isReadOnly: store.isReadOnly, warnings, before: store.load().entries.size }

const big = emptyBatch()
for (let i = 0; i < 5_000; i++) big.entries.push([userId(`@big${i}:x.org`), { displayName: 'x'.repeat(200), avatarUrl: null }])
big.position = 1_000
try {
  store.commit(scenario === 'disk-full' ? big : { ...emptyBatch(), position: 1_000 })
  report.commit = 'ok'
} catch (error) {
  report.commit = error instanceof UserDirectoryError ? { errcode: error.errcode, message: error.message } : String(error)
}
const after = store.load()
report.after = { entries: after.entries.size, position: after.position }
if (scenario === 'disk-full') {
  const small = emptyBatch()
  small.entries.push([userId('@small:x.org'), { displayName: 'small', avatarUrl: null }])
  small.position = 3
  store.commit(small)
  report.afterSmall = store.load().position
}
await store.close()
process.stdout.write(JSON.stringify(report) + '\n')
