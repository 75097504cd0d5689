import type { ServerName, UserId } from '../ids/index.js'
import { serverNameOf } from '../ids/index.js'
import type { DirectoryEntries, RefreshHost, StaleMark } from '../profiles/index.js'

/**
 * The refresher's view of the stale marks. Each change goes through
 * `apply`, which the directory turns into a committed unit of work (run
 * after a batch in progress, ignored once closed; it throws when the store
 * refuses the commit). Due users are found by a scan: stale users are few.
 */
export function createRefreshHost(entries: DirectoryEntries, apply: (change: () => void) => void): RefreshHost {
  const due = (nowMs: number): [UserId, StaleMark][] =>
    [...entries.staleEntries()].filter(([, mark]) => mark.nextTryAtMs < nowMs).sort(([a, ma], [b, mb]) => ma.nextTryAtMs - mb.nextTryAtMs || (a < b ? -1 : 1))
  return {
    dueServers: (nowMs, limit) => {
      const servers: ServerName[] = []
      for (const [userId] of due(nowMs)) {
        const server = serverNameOf(userId)
        if (!servers.includes(server)) servers.push(server)
        if (servers.length === limit) break
      }
      return servers
    },
    dueUsers: (server, nowMs, limit) =>
      due(nowMs).filter(([userId]) => serverNameOf(userId) === server).slice(0, limit).map(([userId, mark]) => ({ userId, mark })),
    earliestNextTryAtMs: () => {
      let earliest: number | undefined
      for (const [, mark] of entries.staleEntries()) if (earliest === undefined || mark.nextTryAtMs < earliest) earliest = mark.nextTryAtMs
      return earliest
    },
    isStale: (userId) => entries.getStale(userId) !== undefined,
    // Checked again inside: a change can be deferred until a batch ends, and the user may have left meanwhile.
    storeFetched: (userId, profile) => apply(() => {
      if (entries.getStale(userId) !== undefined) entries.set(userId, profile)
    }),
    clearStale: (userId) => apply(() => entries.clearStale(userId)),
    markStale: (userId, mark) => apply(() => {
      if (entries.getStale(userId) !== undefined) entries.markStale(userId, mark)
    }),
  }
}
