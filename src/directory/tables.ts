import type { DirectoryStats, DirectoryTables } from './types.js'
import type { DirectoryFacts } from './unit-of-work.js'

// The directory's read-only views for monitoring and debugging: the counts
// of `stats()` and Synapse's tables of `tables()`, formatted from the facts.

/** Counts for monitoring (cheap: no relation is materialised). */
export function directoryStats(facts: DirectoryFacts, indexedEntries: number, streamPosition: number | null): DirectoryStats {
  let joinedMemberships = 0
  for (const room of facts.rooms.values()) joinedMemberships += room.joined.size
  return {
    entries: facts.entries.size,
    localUsers: facts.registry.size,
    rooms: facts.rooms.size,
    roomsWithLocalUsers: facts.visibility.localMemberCounts.size,
    joinedMemberships,
    usersInPublicRooms: facts.visibility.publicRoomCounts.size,
    staleRemoteUsers: facts.entries.staleCount,
    indexedEntries,
    streamPosition,
  }
}

/** The Synapse tables, sorted (cost grows with the square of room sizes). */
export function directoryTables(facts: DirectoryFacts): DirectoryTables {
  const users = new Map<string, { display_name: string | null; avatar_url: string | null }>()
  for (const [userId, entry] of [...facts.entries.entries()].sort(byFirst)) {
    users.set(userId, { display_name: entry.displayName, avatar_url: entry.avatarUrl })
  }
  const { inPublicRooms, sharePrivateRooms } = facts.visibility.relations()
  const staleRemoteUsers = [...facts.entries.staleEntries()]
    .sort(byFirst)
    .map(([userId, mark]) => ({ userId, nextTryAtMs: mark.nextTryAtMs, retryCounter: mark.retryCounter }))
  return { users, inPublicRooms: inPublicRooms.sort(compareTuples), sharePrivateRooms: sharePrivateRooms.sort(compareTuples), staleRemoteUsers }
}

function byFirst(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
}

function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1
  return 0
}
