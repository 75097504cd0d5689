// Hostile search terms (issue 19 item 3): 64 KB terms of punctuation,
// combining marks, ZWJ runs, NFKC expansions, glue runs and many words.
// For each, the time to parse it (word splitting + PostgreSQL's parser) and
// the time of a whole first-sight search for it in a directory of the
// bench corpus (ranking cache dropped before each), min / median / max over
// the repeats after one untimed pass; the target is every term under 20 ms. Also the work counted
// (segments visited, characters normalised, parser steps), which the unit
// test test/text/parse-bounds.test.ts bounds.
//
//   node --import tsx bench/experiments/hostile-terms.ts [--users 10000] [--repeats 15]
import { UserDirectory } from '../../src/index.js'
import { buildSearchQuery, parseQueryWords } from '../../src/text/index.js'
import { parserStepsTaken } from '../../src/text/pg-parser.js'
import { generateCorpus, feedDirectory, hostileTerms } from '../../corpus/index.js'
import { MAX_QUERY_CHARS } from '../../src/text/parse-words.js'

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}

const TERMS = hostileTerms(MAX_QUERY_CHARS)

function stats(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b)
  return [s[0], s[Math.floor(s.length / 2)], s[s.length - 1]].map((v) => v.toFixed(2).padStart(6)).join(' ')
}

async function main(): Promise<void> {
  const users = flag('users', 10_000)
  const repeats = flag('repeats', 15)
  const corpus = generateCorpus(users)
  const dir = await UserDirectory.open({ serverName: corpus.serverName })
  await feedDirectory(dir, corpus)
  const requester = corpus.users[corpus.locals[0]].userId
  console.log(`node ${process.version}, ${users} users, ${repeats} repeats; times in ms: min median max`)
  console.log(`${'term'.padEnd(24)} ${'parse'.padStart(20)}   ${'search (first sight)'.padStart(20)}   segments  normalised  parser steps`)
  let worst = 0
  for (const [name, term] of TERMS) {
    const parseMs: number[] = []
    const searchMs: number[] = []
    const work = { segments: 0, normalizedChars: 0 }
    // One untimed pass first, so the figures are of compiled code.
    await dir.search(requester, term, 10)
    for (let r = 0; r < repeats; r++) {
      const t0 = performance.now()
      buildSearchQuery(parseQueryWords(term))
      parseMs.push(performance.now() - t0)
      dir.clearSearchCache()
      const t1 = performance.now()
      await dir.search(requester, term, 10)
      searchMs.push(performance.now() - t1)
    }
    const stepsBefore = parserStepsTaken()
    buildSearchQuery(parseQueryWords(term, work))
    const parserSteps = parserStepsTaken() - stepsBefore
    worst = Math.max(worst, ...searchMs)
    console.log(`${name.padEnd(24)} ${stats(parseMs)}   ${stats(searchMs)}   ${String(work.segments).padStart(8)}  ${String(work.normalizedChars).padStart(10)}  ${String(parserSteps).padStart(12)}`)
  }
  console.log(`slowest search of any 64 KB term: ${worst.toFixed(2)} ms (target 20 ms)`)
  await dir.close()
}

await main()
