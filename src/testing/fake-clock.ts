import type { Clock } from '../directory/index.js'

interface Timer {
  handle: number
  atMs: number
  callback: () => void
}

/**
 * A clock whose time moves only when told. Timers run in time order (ties
 * in creation order) during {@link FakeClock.advance}, which lets the
 * promises they start settle before moving on.
 */
export class FakeClock implements Clock {
  #nowMs: number
  #timers: Timer[] = []
  #nextHandle = 1

  constructor(startMs = 1_700_000_000_000) {
    this.#nowMs = startMs
  }

  now(): number {
    return this.#nowMs
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const handle = this.#nextHandle++
    this.#timers.push({ handle, atMs: this.#nowMs + Math.max(0, delayMs), callback })
    return handle
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer.handle !== handle)
  }

  /** Number of timers waiting. */
  get pendingTimers(): number {
    return this.#timers.length
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const targetMs = this.#nowMs + ms
    await settle()
    for (;;) {
      let next: Timer | undefined
      for (const timer of this.#timers) {
        if (timer.atMs <= targetMs && (next === undefined || timer.atMs < next.atMs || (timer.atMs === next.atMs && timer.handle < next.handle))) next = timer
      }
      if (next === undefined) break
      this.#timers = this.#timers.filter((timer) => timer !== next)
      this.#nowMs = Math.max(this.#nowMs, next.atMs)
      next.callback()
      await settle()
    }
    this.#nowMs = targetMs
  }
}

// Lets chains of promises started by a timer run to completion (they may
// await other promises several times).
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
