/**
 * @module The one time source of the package: every part that reads the
 * time or sets a timer takes a `Clock` (or `Pick<Clock, 'now'>` when it only
 * reads the time) as an argument, so tests drive it with `FakeClock`.
 * Imports nothing.
 */

/** Time source and timers; injectable so tests can advance time. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Runs `callback` once after `delayMs` ms; the handle is for `clearTimeout`. */
  setTimeout(callback: () => void, delayMs: number): unknown
  clearTimeout(handle: unknown): void
}

/** The system clock. Its timers do not keep the process alive (`unref`). */
export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (callback: () => void, delayMs: number): unknown => {
    const handle = setTimeout(callback, delayMs)
    handle.unref()
    return handle
  },
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
})
