// Child of crash.test.ts: resumes the store at argv[2] from its position and
// commits numbered batches until killed, printing each position after
// `commit` returned (its acknowledgement).
import { LmdbStore } from '../../src/store/index.js'
import { numberedBatch } from './store-fixtures.js'

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: crash-child.ts <dir>')
const store = await LmdbStore.open(dir)
const start = (store.load().position ?? 0) + 1
for (let n = start; n < start + 100_000; n++) {
  store.commit(numberedBatch(n, 8))
  // Synchronous on Linux pipes: the line is out before the next commit starts.
  process.stdout.write(`${n}\n`)
}
