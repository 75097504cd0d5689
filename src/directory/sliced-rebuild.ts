// The rebuild: everything derived from rooms and users (visibility counters,
// the entries to add, drop or unmark, a new search index) computed again by
// one sequence of steps. rebuild() runs them in slices: beside the live
// state, a few milliseconds at a time with the event loop free between
// slices, so searches keep being answered from the old state; the fixes then
// commit as one unit of work and the new structures are swapped in. open()
// and a rebuild() inside a batch run the same steps to the end at once.
import { localpartOf, serverNameOf } from '../ids/index.js'
import type { RoomId, UserId } from '../ids/index.js'
import type { DirectoryEntries, Profile } from '../profiles/index.js'
import type { RoomState } from '../rooms/index.js'
import { EntryFlag } from '../search/index.js'
import type { SearchIndex } from '../search/index.js'
import { RoomVisibility } from '../visibility/index.js'
import type { UserRegistry } from '../visibility/index.js'
import type { Logger } from 'pino'
import type { DirectorySearch } from './directory-search.js'
import type { DirectoryFacts, UnitOfWork } from './unit-of-work.js'

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

/** The fixes a rebuild computed, with the visibility it counted; nothing of the live state has changed yet. */
export interface RebuildFixes {
  /** A fresh visibility over the same rooms and registry, counted. */
  visibility: RoomVisibility
  /** Included local users without an entry: they get an empty one. */
  adds: UserId[]
  /** Entries no rule allows any more. */
  drops: UserId[]
  /** Stale marks of remote users no longer in a room the server is in. */
  unmarks: UserId[]
}

/** What a sliced rebuild computed: the fixes, and an index of the entries as they are once the fixes are applied. */
export interface RebuildPlan extends RebuildFixes {
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
 * The rebuild's steps, shared by every way it runs: recount `plan`'s
 * (fresh) visibility, then add included local users, drop what no rule
 * keeps, clear stale marks of users no room holds, then (with `index`)
 * index every entry as it is once the fixes are applied, in the order the
 * entries will have. Yields about every `stepSize` items; changes nothing
 * of the live state.
 */
function* rebuildSteps(source: Pick<RebuildSource, 'registry' | 'entries'>, plan: RebuildFixes, index: SearchIndex | undefined): Generator<void, void, undefined> {
  const { registry, entries } = source
  const { visibility, adds, drops, unmarks } = plan
  yield* visibility.recountSteps(rebuildSlicing.stepSize * 16)
  const dropped = new Set<UserId>()
  let n = 0
  for (const [userId, user] of registry.entries()) {
    if (!registry.isLocal(userId) || registry.isIncludedLocal(userId, user)) {
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
  if (index === undefined) return
  const put = (userId: UserId, entry: Profile): void => {
    // Only local users have a registry record to be locked in: a remote
    // entry skips that lookup (a miss in a million-key Map at 1M).
    const isLocal = registry.isLocal(userId)
    const flags = (isLocal && registry.isLocked(userId) ? EntryFlag.Locked : 0) | (visibility.isInPublicRoom(userId) ? EntryFlag.InPublicRoom : 0)
    index.upsert({ userId, localpart: localpartOf(userId), serverName: serverNameOf(userId), displayName: entry.displayName, avatarUrl: entry.avatarUrl, isLocal, flags })
  }
  for (const [userId, entry] of entries.entries()) {
    if (!dropped.has(userId)) put(userId, entry)
    if (++n % rebuildSlicing.stepSize === 0) yield
  }
  for (const userId of adds) {
    put(userId, { displayName: null, avatarUrl: null })
    if (++n % rebuildSlicing.stepSize === 0) yield
  }
}

function emptyFixes(source: Pick<RebuildSource, 'rooms' | 'registry'>): RebuildFixes {
  return { visibility: new RoomVisibility(source.rooms, source.registry), adds: [], drops: [], unmarks: [] }
}

/** Computes a rebuild in slices (`rebuild()`), the event loop free between them. */
export async function planRebuild(source: RebuildSource): Promise<RebuildPlan> {
  const fixes = emptyFixes(source)
  const index = source.newIndex()
  await runSliced(rebuildSteps(source, fixes, index), source.check)
  return { ...fixes, index }
}

/**
 * Computes a rebuild at once, the same steps run to the end: at open (with
 * an index), and for a `rebuild()` inside a batch (without: the batch may
 * change entries further, so its index is built when it commits).
 */
export function planRebuildNow(source: Pick<RebuildSource, 'rooms' | 'registry' | 'entries'>, index?: SearchIndex): RebuildFixes {
  const fixes = emptyFixes(source)
  const steps = rebuildSteps(source, fixes, index)
  while (steps.next().done !== true) continue
  return fixes
}

/** Applies a plan's fixes to the entries (inside a unit of work, or at open). */
export function applyFixes(entries: DirectoryEntries, fixes: RebuildFixes): void {
  for (const userId of fixes.adds) entries.set(userId, { displayName: null, avatarUrl: null })
  for (const userId of fixes.drops) entries.delete(userId)
  for (const userId of fixes.unmarks) entries.clearStale(userId)
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

/** The parts of a directory a rebuild reads and replaces. @internal */
export interface RebuildParts {
  facts: DirectoryFacts
  work: UnitOfWork
  search: DirectorySearch
  logger: Logger
}

/**
 * At open, once the facts are loaded: the same steps at once, the fixes
 * applied outside any unit (they are stored with the next commit), the new
 * visibility and index swapped in.
 */
export function rebuildAtOpen({ facts, search }: RebuildParts): void {
  const index = search.newIndex()
  const fixes = planRebuildNow(facts, index)
  applyFixes(facts.entries, fixes)
  facts.visibility = fixes.visibility
  search.replace(index)
}

/**
 * `UserDirectory.rebuild()`: recomputes every derived structure (relations,
 * entries to drop, search index) from rooms and users, as one unit of work:
 * the entries it fixes are committed, or (the store refusing) undone and
 * the index kept.
 *
 * It runs in slices of about 5 ms with the event loop free between them:
 * the new counters and index are built beside the live ones, searches
 * meanwhile are answered from the state before the rebuild, and the new
 * state replaces it at once when the fixes commit. Changes from elsewhere
 * (ingest, local users, `batch`) wait for the rebuild, as they wait for a
 * batch; profile refreshes are deferred. If a slice fails or the commit is
 * refused, nothing changes and the error is rethrown. Memory: two search
 * indexes while it runs. Inside a `batch()` it runs at once, as part of
 * the batch, and the index is rebuilt when the batch commits.
 */
export async function rebuildDirectory({ facts, work, search, logger }: RebuildParts): Promise<void> {
  work.assertOpen()
  if (work.inBatch()) {
    work.unit(() => {
      const fixes = planRebuildNow(facts)
      applyFixes(facts.entries, fixes)
      facts.visibility = fixes.visibility
      work.rebuildIndexAtCommit = true
    })
    return
  }
  const { rooms, registry, entries } = facts
  const source = { rooms, registry, entries, newIndex: () => search.newIndex(), check: () => work.assertOpen() }
  try {
    await work.exclusive(() => planRebuild(source), (plan) => {
      // From here to the swap, synchronous: nothing can run in between.
      work.unit(() => applyFixes(entries, plan))
      facts.visibility = plan.visibility
      search.replace(plan.index)
    })
  } catch (error) {
    logger.error({ err: error }, 'rebuild failed: the directory is as before it')
    throw error
  }
  logger.info({ entries: entries.size, rooms: rooms.size }, 'rebuilt the directory')
}
