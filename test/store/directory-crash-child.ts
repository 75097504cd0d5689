// Child of directory-crash.test.ts: opens a persistent UserDirectory at
// argv[2], resumes after its stream position and ingests numbered batches
// until killed, printing each position after `ingest` resolved.
import { FakeClock, UserDirectory } from '../../src/index.js'
import { LOCAL_USERS, directoryBatch } from './directory-batches.js'

const path = process.argv[2]
if (path === undefined) throw new Error('usage: directory-crash-child.ts <dir>')
const dir = await UserDirectory.open({ serverName: 'test', path, clock: new FakeClock() })
for (const userId of LOCAL_USERS) await dir.registerLocalUser(userId, {})
const start = (dir.streamPosition() ?? 0) + 1
for (let n = start; n < start + 100_000; n++) {
  await dir.ingest(directoryBatch(n), { position: n })
  process.stdout.write(`${n}\n`)
}
