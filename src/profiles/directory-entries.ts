import type { UserId } from '../ids/index.js'

/** A directory entry: public profile information only (SPEC §1). */
export interface Profile {
  displayName: string | null
  avatarUrl: string | null
}

/** A remote user whose global profile must be fetched (SPEC §5). */
export interface StaleMark {
  nextTryAtMs: number
  retryCounter: number
}

/** Told each entry's or stale mark's value before it changes (the directory's undo journal). */
export interface EntriesJournal {
  entry(userId: UserId, prior: Profile | undefined): void
  stale(userId: UserId, prior: StaleMark | undefined): void
}

/**
 * The `user_directory` table: one entry per user in the directory, and the
 * remote users marked stale. Every change is recorded in `changed` so that
 * the search index and the store can follow (deltas → state → index), and
 * reported to `journal` with the value it replaces, so that a unit of work
 * that fails can be undone.
 */
export class DirectoryEntries {
  journal: EntriesJournal | undefined
  #entries = new Map<UserId, Profile>()
  #stale = new Map<UserId, StaleMark>()
  /** Users whose entry was set or deleted since the last `drainChanged`. */
  readonly #changed = new Set<UserId>()
  /** Users whose stale mark was set or cleared since the last `drainChanged`. */
  readonly #staleChanged = new Set<UserId>()

  get(userId: UserId): Profile | undefined {
    return this.#entries.get(userId)
  }

  has(userId: UserId): boolean {
    return this.#entries.has(userId)
  }

  get size(): number {
    return this.#entries.size
  }

  entries(): IterableIterator<[UserId, Profile]> {
    return this.#entries.entries()
  }

  /** Stores an entry (a no-op when equal) and clears any stale mark. */
  set(userId: UserId, profile: Profile): void {
    this.clearStale(userId)
    const before = this.#entries.get(userId)
    if (before !== undefined && before.displayName === profile.displayName && before.avatarUrl === profile.avatarUrl) return
    this.journal?.entry(userId, before)
    this.#entries.set(userId, { displayName: profile.displayName, avatarUrl: profile.avatarUrl })
    this.#changed.add(userId)
  }

  /** Removes the entry and any stale mark. */
  delete(userId: UserId): void {
    this.clearStale(userId)
    const before = this.#entries.get(userId)
    if (before === undefined) return
    this.journal?.entry(userId, before)
    this.#entries.delete(userId)
    this.#changed.add(userId)
  }

  get staleCount(): number {
    return this.#stale.size
  }

  getStale(userId: UserId): StaleMark | undefined {
    return this.#stale.get(userId)
  }

  staleEntries(): IterableIterator<[UserId, StaleMark]> {
    return this.#stale.entries()
  }

  markStale(userId: UserId, mark: StaleMark): void {
    this.journal?.stale(userId, this.#stale.get(userId))
    this.#stale.set(userId, { nextTryAtMs: mark.nextTryAtMs, retryCounter: mark.retryCounter })
    this.#staleChanged.add(userId)
  }

  clearStale(userId: UserId): void {
    const before = this.#stale.get(userId)
    if (before === undefined) return
    this.journal?.stale(userId, before)
    this.#stale.delete(userId)
    this.#staleChanged.add(userId)
  }

  /** Returns and forgets the users whose entry or stale mark changed. */
  drainChanged(): { entries: UserId[]; stale: UserId[] } {
    const changed = { entries: [...this.#changed], stale: [...this.#staleChanged] }
    this.#changed.clear()
    this.#staleChanged.clear()
    return changed
  }

  /** Forgets every entry, stale mark and recorded change (before reloading from a store). */
  clear(): void {
    this.#entries.clear()
    this.#stale.clear()
    this.#changed.clear()
    this.#staleChanged.clear()
  }

  /** Puts back a value `journal` was told of (undoing a change), without recording or journaling it. */
  restoreEntry(userId: UserId, profile: Profile | undefined): void {
    if (profile === undefined) this.#entries.delete(userId)
    else this.#entries.set(userId, profile)
  }

  /** Puts back a stale mark `journal` was told of, without recording or journaling it. */
  restoreStale(userId: UserId, mark: StaleMark | undefined): void {
    if (mark === undefined) this.#stale.delete(userId)
    else this.#stale.set(userId, mark)
  }

  /** Takes `entries` and `stale` (a store's loaded Maps) as its own, in place of everything it had; no change is recorded. */
  adopt(entries: Map<UserId, Profile>, stale: Map<UserId, StaleMark>): void {
    this.#entries = entries
    this.#stale = stale
    this.#changed.clear()
    this.#staleChanged.clear()
  }

  /** Loads an entry or a stale mark as stored, without recording a change. */
  load(userId: UserId, profile: Profile | undefined, stale: StaleMark | undefined): void {
    if (profile !== undefined) this.#entries.set(userId, profile)
    if (stale !== undefined) this.#stale.set(userId, stale)
  }
}
