/**
 * Keeps the best `k` of a stream of scored dense ids in a binary min-heap
 * (the worst kept entry at the root), so selecting a page costs
 * O(n log k) rather than sorting every match. `better(a, b)` must be a
 * strict total order over ids.
 */
export class TopK {
  #ids: Uint32Array
  #size = 0
  #k = 0
  readonly #better: (a: number, b: number) => boolean

  constructor(better: (a: number, b: number) => boolean, capacity = 64) {
    this.#better = better
    this.#ids = new Uint32Array(capacity)
  }

  /** Empties the heap and sets how many ids it keeps. */
  reset(k: number): void {
    if (this.#ids.length < k) this.#ids = new Uint32Array(k)
    this.#size = 0
    this.#k = k
  }

  offer(id: number): void {
    if (this.#k === 0) return
    const ids = this.#ids
    if (this.#size < this.#k) {
      let i = this.#size++
      ids[i] = id
      // Sift up: the root holds the worst.
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!this.#better(ids[parent], ids[i])) break
        const t = ids[parent]; ids[parent] = ids[i]; ids[i] = t
        i = parent
      }
      return
    }
    if (!this.#better(id, ids[0])) return
    ids[0] = id
    this.#siftDown(0)
  }

  /** The kept ids, best first. Empties the heap. */
  drain(): number[] {
    const out = new Array<number>(this.#size)
    for (let n = this.#size - 1; n >= 0; n--) {
      out[n] = this.#ids[0]
      this.#ids[0] = this.#ids[--this.#size]
      this.#siftDown(0)
    }
    return out
  }

  #siftDown(start: number): void {
    const ids = this.#ids
    const size = this.#size
    let i = start
    for (;;) {
      const left = 2 * i + 1
      if (left >= size) return
      let worst = left
      const right = left + 1
      if (right < size && this.#better(ids[left], ids[right])) worst = right
      if (!this.#better(ids[i], ids[worst])) return
      const t = ids[i]; ids[i] = ids[worst]; ids[worst] = t
      i = worst
    }
  }
}
