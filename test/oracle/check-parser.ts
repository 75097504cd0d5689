// Development check: compares toTsvectorString with PostgreSQL's
// to_tsvector('simple', …) on many generated strings and prints mismatches.
// Usage: npx tsx test/oracle/check-parser.ts [count] [seed]
import { toTsvectorString } from '../../src/text/pg-tsvector.js'
import { jsonLiteral, queryJson } from '../../postgres/index.js'
import { Random } from '../../corpus/index.js'
import { FIXED_TEXTS, randomText, soup } from './random-text.js'

const count = Number(process.argv[2] ?? 20000)
const r = new Random(Number(process.argv[3] ?? 1))
const texts = [...FIXED_TEXTS]
while (texts.length < count) texts.push(r.chance(0.15) ? soup(r, r.int(1, 40)) : randomText(r))

const expected = queryJson<string[]>(
  `select json_agg(to_tsvector('simple', x)::text order by i) from json_array_elements_text(${jsonLiteral(texts)}) with ordinality t(x, i)`,
)
let bad = 0
for (let i = 0; i < texts.length; i++) {
  const actual = toTsvectorString(texts[i])
  if (actual === expected[i]) continue
  if (bad++ < 20) console.log(JSON.stringify(texts[i]), '\n  pg:  ', expected[i], '\n  ours:', actual)
}
console.log(`${texts.length} strings, ${bad} mismatches`)
