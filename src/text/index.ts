/**
 * @module Text: normalisation, search-term word splitting and PostgreSQL's
 * text-search parsing. Pure functions; imports nothing of ours but itself.
 */
export { normalizeText } from './normalize.js'
export { parseQueryWords, MAX_QUERY_WORDS } from './parse-words.js'
