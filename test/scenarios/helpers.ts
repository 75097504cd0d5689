import type { DirectoryTables } from '../../src/index.js'

/** `inPublicRooms` as a sorted list of "user room" strings. */
export function publicPairs(tables: DirectoryTables): string[] {
  return tables.inPublicRooms.map(([user, room]) => `${user} ${room}`).sort()
}

/** `sharePrivateRooms` as a sorted list of "user other room" strings. */
export function privateTriples(tables: DirectoryTables): string[] {
  return tables.sharePrivateRooms.map(([user, other, room]) => `${user} ${other} ${room}`).sort()
}

/** The user ids of a search's results, in order. */
export function ids(results: { results: { user_id: string }[] }): string[] {
  return results.results.map((r) => r.user_id)
}
