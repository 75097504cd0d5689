// Scratch buffers for the ranking hot path, grown on demand and reused by
// every call, so scoring a candidate allocates nothing once they have grown.
// They carry no state between calls: each function overwrites what it reads.

const MAX_POSITION = 16383

function grow(from: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  let length = from.length
  while (length < size) length *= 2
  return length === from.length ? from : new Int32Array(length)
}

class RankScratch {
  /** Per operand: the document's matching lexemes are `[matchLo, matchHi)`. */
  matchLo: Int32Array<ArrayBuffer> = new Int32Array(64)
  matchHi: Int32Array<ArrayBuffer> = new Int32Array(64)
  /** Per position 1..16383: generation stamps for phrase matching. */
  readonly stamp = new Uint32Array(MAX_POSITION + 2)
  generation = 0
  /** Cover-density document entries: sort key, position, weight code and lexeme index. */
  entryKey = new Float64Array(256)
  entryPos = new Int32Array(256)
  entryWeight = new Int32Array(256)
  entryLexeme = new Int32Array(256)

  ensureOperands(n: number): void {
    this.matchLo = grow(this.matchLo, n)
    this.matchHi = grow(this.matchHi, n)
  }

  ensureEntries(n: number): void {
    if (n <= this.entryKey.length) return
    let length = this.entryKey.length
    while (length < n) length *= 2
    this.entryKey = new Float64Array(length)
    this.entryPos = new Int32Array(length)
    this.entryWeight = new Int32Array(length)
    this.entryLexeme = new Int32Array(length)
  }

  /** Reserves `count` fresh generation numbers and returns the first. */
  nextGenerations(count: number): number {
    if (this.generation + count + 1 >= 0xffffffff) {
      this.stamp.fill(0)
      this.generation = 0
    }
    const first = this.generation + 1
    this.generation += count
    return first
  }
}

/**
 * The one set of scratch buffers of the process: module-level because the
 * scoring functions are pure over plain data and run one at a time (they are
 * synchronous), so no two calls share them at once. Bounded: the stamps are
 * fixed, the operand arrays grow to a query's operands (at most
 * `MAX_QUERY_WORDS` words) and the entry arrays to the positions of the
 * largest document scored.
 */
export const scratch = new RankScratch()
