/**
 * The ordering rule between an import and live updates. A snapshot read
 * from the Admin API is the homeserver's full current state at some moment
 * after it was requested, so applying it is idempotent, but a live update
 * applied after the request may be newer than the snapshot. So, per room
 * (and for the users page in flight), every live change applied between
 * "snapshot requested" and "snapshot applied" is recorded, and the snapshot
 * entries for the same (room, type, state key), or the same user, are
 * dropped: the live value stands. Dropping too much is harmless: the
 * homeserver delivers every later change live, in order.
 *
 * Live paths call `noteDeltas` / `noteUser` in the same serialized queue
 * that applies the snapshot, so "between" is well defined.
 */
export class LiveChanges {
  // Rooms with a snapshot in flight → the "type\u0000stateKey" keys changed live since it was requested.
  readonly #keysByRoom = new Map<string, Set<string>>()
  // Users changed live since the users page in flight was requested; null when none is.
  #users: Set<string> | null = null

  /** Starts recording live changes to `roomId`; call just before requesting its state. */
  watchRoom(roomId: string): void {
    this.#keysByRoom.set(roomId, new Set())
  }

  /** Stops recording `roomId` and returns the (type, state key) keys changed live meanwhile. */
  takeRoom(roomId: string): ReadonlySet<string> {
    const keys = this.#keysByRoom.get(roomId) ?? new Set<string>()
    this.#keysByRoom.delete(roomId)
    return keys
  }

  /** Starts recording live changes to local users; call just before requesting a users page. */
  watchUsers(): void {
    this.#users = new Set()
  }

  /**
   * Whether `userId` changed live since `watchUsers`. Users are applied
   * outside the write queue's order (the admin API's user route does not
   * queue), so the importer asks right before each call instead of once.
   */
  hasUserChanged(userId: string): boolean {
    return this.#users?.has(userId) === true
  }

  /** Stops recording users. */
  unwatchUsers(): void {
    this.#users = null
  }

  /** Stops recording rooms without reading them (a page that failed). */
  unwatchRooms(roomIds: readonly string[]): void {
    for (const roomId of roomIds) this.#keysByRoom.delete(roomId)
  }

  /** Records live state deltas (any shape: malformed ones are recorded if they name a room, type and key). */
  noteDeltas(deltas: readonly unknown[]): void {
    if (this.#keysByRoom.size === 0) return
    for (const delta of deltas) {
      if (typeof delta !== 'object' || delta === null) continue
      const roomId: unknown = Reflect.get(delta, 'room_id')
      const type: unknown = Reflect.get(delta, 'type')
      const stateKey: unknown = Reflect.get(delta, 'state_key')
      if (typeof roomId !== 'string' || typeof type !== 'string' || typeof stateKey !== 'string') continue
      this.#keysByRoom.get(roomId)?.add(stateEntryKey(type, stateKey))
    }
  }

  /** Records a live change to a local user (registration, flags or profile). */
  noteUser(userId: string): void {
    this.#users?.add(userId)
  }
}

/** The key `LiveChanges` records a state entry under. */
export function stateEntryKey(type: string, stateKey: string): string {
  return `${type}\u0000${stateKey}`
}
