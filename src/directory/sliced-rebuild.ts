// rebuild() in slices: everything it derives (visibility counters, the
// entries to add, drop or unmark, a new search index) is computed beside the
// live state, a few milliseconds at a time with the event loop free between
// slices, so searches keep being answered from the old state; the caller
// then applies the fixes as one unit of work and swaps the new structures in.
import { localpartOf, serverNameOf } from '../ids/index.js'
import type { RoomId, UserId } from '../ids/index.js'
import type { DirectoryEntries, Profile } from '../profiles/index.js'
import type { RoomState } from '../rooms/index.js'
import { EntryFlag } from '../search/index.js'
import type { SearchIndex } from '../search/index.js'
import { RoomVisibility } from '../visibility/index.js'
import type { UserRegistry } from '../visibility/index.js'
import type { DirectoryFacts } from './unit-of-work.js'

/**
 * How a sliced rebuild shares the event loop: each slice runs until
 * `sliceMs` have passed (checked every `stepSize` items), then `pause()`
 * lets other work run. Tests replace `pause` to fail or observe a rebuild
 * in the middle.
 * @internal
 */
export const rebuildSlicing = {
  sliceMs: 5,
  stepSize: 16,
  pause: (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve)),
}

/** What a sliced rebuild computed; nothing of the live state has changed yet. */
export interface RebuildPlan {
  /** A fresh visibility over the same rooms and registry, counted. */
  visibility: RoomVisibility
  /** Included local users without an entry: they get an empty one. */
  adds: UserId[]
  /** Entries no rule allows any more. */
  drops: UserId[]
  /** Stale marks of remote users no longer in a room the server is in. */
  unmarks: UserId[]
  /** A search index of the entries as they are once the fixes are applied. */
  index: SearchIndex
}

/** The live facts a rebuild reads (not changed while it runs: the caller holds its turn). */
export interface RebuildSource {
  rooms: Map<RoomId, RoomState>
  registry: UserRegistry
  entries: DirectoryEntries
  newIndex: () => SearchIndex
  /** Throws to abort the rebuild between slices (the directory was closed). */
  check: () => void
}

/**
 * Computes a rebuild in slices. The same fixes, in the same order, and the
 * same index (same insertion order) as the synchronous rebuild: recount,
 * then add included local users, drop what no rule keeps, clear stale
 * marks of users no room holds, then index every entry.
 */
export async function planRebuild(source: RebuildSource): Promise<RebuildPlan> {
  const { rooms, registry, entries } = source
  const visibility = new RoomVisibility(rooms, registry)
  await runSliced(visibility.recountSteps(rebuildSlicing.stepSize * 16), source.check)
  const adds: UserId[] = []
  const drops: UserId[] = []
  const unmarks: UserId[] = []
  const dropped = new Set<UserId>()
  await runSliced(
    (function* () {
      let n = 0
      for (const [userId] of registry.entries()) {
        if (registry.isIncluded(userId)) {
          if (!entries.has(userId)) adds.push(userId)
        } else if (entries.has(userId)) {
          drops.push(userId)
          dropped.add(userId)
        }
        if (++n % rebuildSlicing.stepSize === 0) yield
      }
      for (const [userId] of entries.entries()) {
        const keep = registry.isLocal(userId) ? registry.isIncluded(userId) : visibility.isRemoteHeld(userId)
        if (!keep && !dropped.has(userId)) {
          drops.push(userId)
          dropped.add(userId)
        }
        if (++n % rebuildSlicing.stepSize === 0) yield
      }
      for (const [userId] of entries.staleEntries()) {
        if (!visibility.isRemoteHeld(userId)) unmarks.push(userId)
        if (++n % rebuildSlicing.stepSize === 0) yield
      }
    })(),
    source.check,
  )
  const index = source.newIndex()
  const put = (userId: UserId, entry: Profile): void => {
    const flags = (registry.isLocked(userId) ? EntryFlag.Locked : 0) | (visibility.isInPublicRoom(userId) ? EntryFlag.InPublicRoom : 0)
    index.upsert({ userId, localpart: localpartOf(userId), serverName: serverNameOf(userId), displayName: entry.displayName, avatarUrl: entry.avatarUrl, isLocal: registry.isLocal(userId), flags })
  }
  await runSliced(
    (function* () {
      let n = 0
      for (const [userId, entry] of entries.entries()) {
        if (!dropped.has(userId)) put(userId, entry)
        if (++n % rebuildSlicing.stepSize === 0) yield
      }
      for (const userId of adds) {
        put(userId, { displayName: null, avatarUrl: null })
        if (++n % rebuildSlicing.stepSize === 0) yield
      }
    })(),
    source.check,
  )
  return { visibility, adds, drops, unmarks, index }
}

/**
 * The same fixes at once, in place: recounts visibility and fixes the
 * entries to match (adds and drops). At open, and for a `rebuild()` inside
 * a batch (its index is rebuilt when the batch commits).
 */
export function rebuildFacts(facts: DirectoryFacts): void {
  const { registry, entries, visibility } = facts
  visibility.recount()
  for (const [userId] of registry.entries()) {
    if (registry.isIncluded(userId)) {
      if (!entries.has(userId)) entries.set(userId, { displayName: null, avatarUrl: null })
    } else {
      entries.delete(userId)
    }
  }
  for (const [userId] of [...entries.entries()]) {
    const keep = registry.isLocal(userId) ? registry.isIncluded(userId) : visibility.isRemoteHeld(userId)
    if (!keep) entries.delete(userId)
  }
  for (const [userId] of [...entries.staleEntries()]) {
    if (!visibility.isRemoteHeld(userId)) entries.clearStale(userId)
  }
}

// Runs `steps` to the end, pausing once a slice has run `sliceMs`.
async function runSliced(steps: Iterator<void, void, undefined>, check: () => void): Promise<void> {
  for (;;) {
    const until = performance.now() + rebuildSlicing.sliceMs
    do {
      if (steps.next().done === true) return
    } while (performance.now() < until)
    await rebuildSlicing.pause()
    check()
  }
}
