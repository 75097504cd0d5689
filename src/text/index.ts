/**
 * @module Text: normalisation, search-term word splitting and PostgreSQL's
 * text-search parsing (the default parser with the `simple` configuration,
 * in a C-locale UTF-8 database as Synapse requires), plus the opt-in
 * accent folding and infix documents. Functions of their input alone, but
 * not free of state: the parser reuses module-level scratch buffers (its
 * parses never interleave: it is synchronous), and documents share
 * recurring arrays and lexeme strings through bounded per-process tables
 * (`pg-tsvector.ts`). Imports nothing of ours but itself.
 */
export { normalizeText } from './normalize.js'
export { parseQueryWords, MAX_QUERY_WORDS } from './parse-words.js'
export type { UserDocument } from './pg-tsvector.js'
export { buildUserDocument, toTsvectorString } from './pg-tsvector.js'
export type { SearchQuery } from './pg-tsquery.js'
export { buildSearchQuery, formatTsquery } from './pg-tsquery.js'
export { comparePgText, lowerBoundPgText } from './pg-text-order.js'
export { foldText, foldSearchQuery } from './fold-text.js'
export { foldDocument, infixDocument, MAX_INFIX_OFFSET } from './derived-documents.js'
