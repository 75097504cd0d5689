/**
 * @module Seeded generators shared by bench/ and test/: a PRNG, the benchmark
 * corpus (users, rooms), the query mix, hostile search terms, the corpus as a homeserver feeds it
 * and as rows of Synapse's tables. Imports only `src/index.ts` (types and
 * `UserDirectory` calls) and nothing from bench/ or test/.
 */
export { Random } from './random.js'
export { fill64k, hostileTerms } from './hostile-terms.js'
export type { BenchCorpus, BenchRoom, BenchUser } from './corpus.js'
export { generateCorpus, SERVER_NAME } from './corpus.js'
export type { BenchQuery, Mode, QueryClass } from './queries.js'
export { generateQueries, MODES, QUERY_CLASSES } from './queries.js'
export { deltaBatches, deltaCount, feedDirectory, ingestStream, joinDelta, registerLocals } from './feed.js'
export type { DirectoryRow } from './synapse-tables.js'
export { directoryRows, privatePairRows, publicRoomRows, tableCounts } from './synapse-tables.js'
