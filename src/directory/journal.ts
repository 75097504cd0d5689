import type { RoomId, UserId } from '../ids/index.js'
import type { EntriesJournal, Profile, StaleMark } from '../profiles/index.js'
import type { MemberProfile, RoomState } from '../rooms/index.js'
import type { LocalUser } from '../visibility/index.js'

/** One change of a unit of work, with the value it replaced. */
export type UndoStep =
  /** `room`: the room object the map held (`undefined`: none), with its fields as they were. */
  | { kind: 'room'; roomId: RoomId; room: RoomState | undefined; joinRule: string | null; historyVisibility: string | null }
  /** A member of `room` (that object): their profile as it was, `undefined` when not joined. */
  | { kind: 'member'; roomId: RoomId; room: RoomState; userId: UserId; prior: MemberProfile | null | undefined }
  | { kind: 'user'; userId: UserId; prior: LocalUser | undefined }
  | { kind: 'entry'; userId: UserId; prior: Profile | undefined }
  | { kind: 'stale'; userId: UserId; prior: StaleMark | undefined }
  | { kind: 'position'; prior: number | null }
  /** A transaction id added to the unit's pending ones. */
  | { kind: 'transaction' }
  /** A meta value added to the unit's store batch. */
  | { kind: 'storeMeta' }

/**
 * The undo journal of the unit of work in progress: every in-memory fact a
 * change replaces, in order. A unit that fails (its task throws, or the
 * store refuses its commit) is undone by replaying the steps backwards, so
 * it leaves no trace; a mark (`length`) taken before a call inside a batch
 * undoes that call alone. Cleared when the unit commits.
 */
export class Journal implements EntriesJournal {
  readonly #steps: UndoStep[] = []

  /** Steps recorded so far: a mark for `takeSince`. */
  get length(): number {
    return this.#steps.length
  }

  room(roomId: RoomId, room: RoomState | undefined): void {
    this.#steps.push({ kind: 'room', roomId, room, joinRule: room?.joinRule ?? null, historyVisibility: room?.historyVisibility ?? null })
  }

  member(roomId: RoomId, room: RoomState, userId: UserId): void {
    this.#steps.push({ kind: 'member', roomId, room, userId, prior: room.joined.get(userId) })
  }

  user(userId: UserId, prior: LocalUser | undefined): void {
    this.#steps.push({ kind: 'user', userId, prior })
  }

  entry(userId: UserId, prior: Profile | undefined): void {
    this.#steps.push({ kind: 'entry', userId, prior })
  }

  stale(userId: UserId, prior: StaleMark | undefined): void {
    this.#steps.push({ kind: 'stale', userId, prior })
  }

  position(prior: number | null): void {
    this.#steps.push({ kind: 'position', prior })
  }

  transaction(): void {
    this.#steps.push({ kind: 'transaction' })
  }

  storeMeta(): void {
    this.#steps.push({ kind: 'storeMeta' })
  }

  /** Removes the steps recorded after `mark` and returns them newest first (the order to undo them in). */
  takeSince(mark: number): UndoStep[] {
    return this.#steps.splice(mark).reverse()
  }

  /** Forgets every step (the unit committed). */
  clear(): void {
    this.#steps.length = 0
  }
}
