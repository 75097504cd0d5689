import { createHash } from 'node:crypto'

/** How many applied transaction ids a directory remembers (memory and store alike). */
export const TRANSACTION_WINDOW = 10_000
/** Meta key prefix of a remembered transaction id. */
export const TRANSACTION_KEY_PREFIX = 'txn:'
// Ids up to this many UTF-8 bytes are keyed as they are; longer ones (LMDB
// keys hold at most 1,978 bytes) by their sha256.
const MAX_PLAIN_ID_BYTES = 200

/**
 * The key a transaction id is remembered under: the id itself, or `#` and
 * the hex sha256 of the id when it is long or starts with `#` (so a plain id
 * never equals a hashed one). Memory and store hold keys, never long ids.
 */
export function transactionKey(transactionId: string): string {
  const plain = transactionId.length <= MAX_PLAIN_ID_BYTES && transactionId[0] !== '#' && Buffer.byteLength(transactionId) <= MAX_PLAIN_ID_BYTES
  if (plain) return TRANSACTION_KEY_PREFIX + transactionId
  return `${TRANSACTION_KEY_PREFIX}#${createHash('sha256').update(transactionId).digest('hex')}`
}

/**
 * The last `capacity` applied transaction ids, oldest first, each with a
 * sequence number that is also its stored value (so the order survives a
 * restart). Adding ids beyond `capacity` drops the oldest, in memory and,
 * through the meta writes `writesFor` returns, in the same store commit.
 */
export class TransactionWindow {
  readonly capacity: number
  readonly #keys = new Map<string, number>()
  #next = 0

  constructor(capacity = TRANSACTION_WINDOW) {
    this.capacity = capacity
  }

  get size(): number {
    return this.#keys.size
  }

  /**
   * Takes the stored keys and values (sequence numbers; anything else, such
   * as the `true` of stores written before the window, counts as oldest)
   * and returns the keys beyond the window, to delete.
   */
  load(stored: Iterable<[string, unknown]>): string[] {
    const list: [string, number][] = []
    for (const [key, value] of stored) list.push([key, typeof value === 'number' && Number.isSafeInteger(value) ? value : -1])
    list.sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    const excess = Math.max(0, list.length - this.capacity)
    this.#keys.clear()
    for (const [key, seq] of list.slice(excess)) this.#keys.set(key, seq)
    this.#next = list.length === 0 ? 0 : Math.max(0, list[list.length - 1][1] + 1)
    return list.slice(0, excess).map(([key]) => key)
  }

  has(key: string): boolean {
    return this.#keys.has(key)
  }

  /**
   * The meta writes that remember `keys` (new, oldest first) and forget the
   * oldest ids beyond the window (new ones too, when more than `capacity`
   * come at once); call `confirm(keys)` once they are stored.
   */
  writesFor(keys: readonly string[]): [string, unknown][] {
    const skipped = Math.max(0, keys.length - this.capacity)
    const writes: [string, unknown][] = []
    for (let i = skipped; i < keys.length; i++) writes.push([keys[i], this.#next + i])
    let excess = this.#keys.size + keys.length - skipped - this.capacity
    for (const key of this.#keys.keys()) {
      if (excess-- <= 0) break
      writes.push([key, null])
    }
    return writes
  }

  /** Remembers `keys` (now stored) and forgets the oldest beyond the window. */
  confirm(keys: readonly string[]): void {
    for (const key of keys) this.#keys.set(key, this.#next++)
    for (const key of this.#keys.keys()) {
      if (this.#keys.size <= this.capacity) break
      this.#keys.delete(key)
    }
  }
}
