// The PostgreSQL-captured ranking cases (snapshots/pg-rank-cases.json), shared
// by the rank suites. Regenerate with test/oracle/capture-rank-cases.ts --write.
import { readFileSync } from 'node:fs'
import { buildSearchQuery, type SearchQuery } from '../../../src/text/pg-tsquery.js'
import { buildUserDocument, type UserDocument } from '../../../src/text/pg-tsvector.js'

export interface RankCase {
  localpart: string
  serverName: string
  displayName: string | null
  words: string[]
  vector: string
  matches: boolean
  exact: number
  prefix: number
}

export interface BuiltCase extends RankCase {
  doc: UserDocument
  q: SearchQuery
}

export function loadRankCases(): BuiltCase[] {
  const { cases } = JSON.parse(readFileSync('snapshots/pg-rank-cases.json', 'utf8')) as { cases: RankCase[] }
  return cases.map((c) => ({ ...c, doc: buildUserDocument(c.localpart, c.serverName, c.displayName), q: buildSearchQuery(c.words) }))
}
