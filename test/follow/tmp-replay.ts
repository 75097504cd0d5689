import { applyOperation } from '../synapse-emulator/operations.js'
import { Bed, ADMIN, sleep } from './bed.js'
const history = JSON.parse(process.argv[2])
const bed = await Bed.start({ emulator: { partDelayMs: 0 }, follow: { debounceMs: 5, newUsersPollMs: 30, locksPollMs: 30, roomRecheckMs: 40 } })
for (const op of history) applyOperation(bed.emu, op)
await bed.emu.delivered()
try { await bed.converged(1000); console.log('converged') } catch (e) { console.log(String(e).slice(0, 3000)) }
await bed.request('POST', '/_userdir/admin/v1/import', ADMIN, { reconcile: true })
await sleep(300)
console.log(JSON.stringify((await bed.stats()).import.changes))
await bed.close()
