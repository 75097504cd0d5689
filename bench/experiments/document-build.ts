// Cost of building every entry's PostgreSQL document (buildUserDocument), the
// largest single share of reopen at 1M (bench/experiments/profile.ts --what
// reopen): the corpus's users, in entry order, built R times; the median
// pass is printed with its ns per document, and the heap the last pass's
// documents hold (run with --expose-gc).
//
//   node --max-old-space-size=8192 --expose-gc --import tsx bench/experiments/document-build.ts --size 1m
import { parseArgs } from 'node:util'
import { generateCorpus } from '../../corpus/index.js'
import { localpartOf, serverNameOf } from '../../src/ids/index.js'
import type { UserId } from '../../src/ids/index.js'
import { buildUserDocument } from '../../src/text/index.js'

const { values: args } = parseArgs({ options: { size: { type: 'string', default: '1m' }, rounds: { type: 'string', default: '5' } } })
const userCount = { '10k': 10_000, '100k': 100_000, '1m': 1_000_000 }[args.size.toLowerCase()]
if (userCount === undefined) throw new Error('--size must be 10k, 100k or 1m')
const corpus = generateCorpus(userCount, 1)
const users = corpus.users.map((u) => ({ localpart: localpartOf(u.userId as UserId), serverName: serverNameOf(u.userId as UserId), displayName: u.displayName }))
const gc = (globalThis as { gc?: () => void }).gc
const times: number[] = []
let lexemes = 0
let keptMiB = 0
for (let round = 0; round < Number(args.rounds); round++) {
  gc?.()
  const kept = new Array<unknown>(users.length)
  const t0 = performance.now()
  for (let i = 0; i < users.length; i++) {
    const u = users[i]
    const doc = buildUserDocument(u.localpart, u.serverName, u.displayName)
    kept[i] = doc
    lexemes += doc.lexemes.length
  }
  times.push(performance.now() - t0)
  gc?.()
  const withDocuments = process.memoryUsage().heapUsed
  kept.fill(undefined)
  gc?.()
  keptMiB = (withDocuments - process.memoryUsage().heapUsed) / 2 ** 20
}
times.sort((a, b) => a - b)
const median = times[Math.floor(times.length / 2)]
console.log(JSON.stringify({ size: args.size, documents: users.length, passesMs: times.map((t) => Math.round(t)), medianMs: Math.round(median), nsPerDocument: Math.round((median * 1e6) / users.length), lexemesPerDocument: +(lexemes / users.length / times.length).toFixed(2), heapHeldMiB: Math.round(keptMiB) }))
