import type { Clock } from '../clock.js'

interface Timer {
  handle: number
  atMs: number
  callback: () => void
}

/**
 * A clock whose time moves only when told. Timers run in time order (ties
 * in creation order) during {@link FakeClock.advance}, which lets the
 * promises they start settle before moving on. Timers sit in a binary heap,
 * so tens of thousands of them cost little.
 */
export class FakeClock implements Clock {
  #nowMs: number
  readonly #heap: Timer[] = []
  readonly #cancelled = new Set<number>()
  #nextHandle = 1

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs
  }

  now(): number {
    return this.#nowMs
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.#nextHandle++
    this.#push({ handle, atMs: this.#nowMs + Math.max(0, delayMs), callback })
    return handle
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number' && this.#heap.some((timer) => timer.handle === handle)) this.#cancelled.add(handle)
  }

  /** Number of timers waiting. */
  get pendingTimers(): number {
    return this.#heap.length - this.#cancelled.size
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms
    await settle()
    while (this.#heap.length > 0 && this.#heap[0].atMs <= targetMs) {
      const next = this.#pop()
      if (this.#cancelled.delete(next.handle)) continue
      this.#nowMs = Math.max(this.#nowMs, next.atMs)
      next.callback()
      await settle()
    }
    this.#nowMs = targetMs
  }

  #before(a: Timer, b: Timer): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.handle < b.handle)
  }

  #push(timer: Timer): void {
    const heap = this.#heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.#before(heap[i], heap[parent])) break
      ;[heap[i], heap[parent]] = [heap[parent], heap[i]]
      i = parent
    }
  }

  #pop(): Timer {
    const heap = this.#heap
    const top = heap[0]
    const last = heap.pop() as Timer
    if (heap.length > 0) {
      heap[0] = last
      let i = 0
      for (;;) {
        const left = 2 * i + 1
        const right = left + 1
        let least = i
        if (left < heap.length && this.#before(heap[left], heap[least])) least = left
        if (right < heap.length && this.#before(heap[right], heap[least])) least = right
        if (least === i) break
        ;[heap[i], heap[least]] = [heap[least], heap[i]]
        i = least
      }
    }
    return top
  }
}

// Lets chains of promises started by a timer run to completion (they may
// await other promises several times).
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
