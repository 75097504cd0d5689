// The SQL fragments Synapse (PostgreSQL flavour) uses for the directory:
// the stored vector and the three tsquery strings built from search words
// (synapse/storage/databases/main/user_directory.py).

/** `'word'` with `'` and `\` doubled, as `_parse_query_postgres` quotes it. */
function quoteWord(word: string): string {
  return `'${word.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`
}

/** Synapse's (both, exact, prefix) to_tsquery strings for the words. */
export function synapseQueries(words: readonly string[]): { both: string; exact: string; prefix: string } {
  const quoted = words.map(quoteWord)
  return {
    both: quoted.map((w) => `(${w}:* | ${w})`).join(' & '),
    exact: quoted.join(' & '),
    prefix: quoted.map((w) => `${w}:*`).join(' & '),
  }
}

/** The vector expression over columns named localpart, server_name and display_name_normalized. */
export const VECTOR_SQL = `setweight(to_tsvector('simple', localpart), 'A')
  || setweight(to_tsvector('simple', server_name), 'D')
  || setweight(to_tsvector('simple', COALESCE(display_name_normalized, '')), 'B')`

export const RANK_WEIGHTS = `'{0.1, 0.1, 0.9, 1.0}'`
