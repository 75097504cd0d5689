/**
 * @module PostgreSQL-exact matching and ranking of one user's document
 * against a search query: `@@`, ts_rank_cd and Synapse's score. Imports
 * only `text`; allocation-free on the hot path.
 */
export { matchesQuery } from './match-query.js'
export { tsRankCd } from './ts-rank-cd.js'
export { singleOperandScore, synapseScore } from './synapse-score.js'
