/**
 * A stored record that does not decode to what its database holds. The
 * store turns it into a `UserDirectoryError` naming the store's path.
 */
export class RecordError extends Error {
  constructor(database: string, key: unknown, problem: string) {
    super(`the ${database} record ${short(key)} ${problem}`)
    this.name = 'RecordError'
  }

  /** A record whose value is not what its database holds. */
  static badValue(database: string, key: unknown, value: unknown): RecordError {
    return new RecordError(database, key, `holds ${short(value)}, not what format 1 stores in ${database}`)
  }

  /** A record whose key is not a valid id. */
  static badKey(database: string, key: unknown, cause: unknown): RecordError {
    return new RecordError(database, key, `has an invalid key (${cause instanceof Error ? cause.message : String(cause)})`)
  }
}

/** `string` or `null`, the type of most stored fields. */
export function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string'
}

function short(value: unknown): string {
  let text: string
  try {
    text = JSON.stringify(value) ?? String(value)
  } catch {
    text = typeof value
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}
