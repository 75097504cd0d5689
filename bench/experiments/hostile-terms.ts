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
import { generateCorpus, feedDirectory } from '../../corpus/index.js'

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? fallback : Number(process.argv[i + 1])
}

const KB64 = 64 * 1024
const fill = (unit: string): string => unit.repeat(Math.ceil(KB64 / unit.length)).slice(0, KB64)

const TERMS: [string, string][] = [
  ...[...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'].map((ch): [string, string] => [`${ch} x 64K`, fill(ch)]),
  ['~/ runs', fill('~/')],
  ['a- runs', fill('a-')],
  ['a_ runs', fill('a_')],
  ['a. runs', fill('a.')],
  ['1.2.3- runs', fill('1.2.3-')],
  ['a1@ runs', fill('a1@')],
  ['letters', fill('a')],
  ['a + combining marks', 'a' + fill('\u0301\u0316')],
  ['combining marks', fill('\u0316\u0301')],
  ['ZWJ emoji runs', fill('\u{1F469}\u200d')],
  ['U+FDFA (NFKC x18)', fill('\uFDFA')],
  ['Thai', fill('ภาษาไทย')],
  ['Han', fill('王伟')],
  ['10k words', Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' ').slice(0, KB64)],
  ['10 glue words + punct', Array.from({ length: 10 }, () => 'a_'.repeat(200)).join(' ') + fill(' -')],
  ['one 4K glue word', 'a_'.repeat(2047) + fill(' ')],
  ['one 4K hyphenated word', 'a-'.repeat(2047) + fill(' ')],
  ['one 4K digit-hyphen word', '1-'.repeat(2047) + fill(' ')],
  ['10 hyphenated words', Array.from({ length: 10 }, () => 'a-'.repeat(200)).join(' ') + fill(' ')],
  ['mixed', fill('a-b.c_d ~/ @x:y \u0301!? 王 \u{1F469}\u200d\u{1F467} ')],
]

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
