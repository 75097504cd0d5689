// What a run reads off the process: elapsed time, memory, and a full GC
// between phases so one phase's garbage is not charged to the next.

/** Latencies as µs from a `process.hrtime.bigint()` difference. */
export function elapsedUs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000
}

/** Process memory, MiB. */
export function memoryMiB(): { rss: number; heapUsed: number; external: number; arrayBuffers: number } {
  const m = process.memoryUsage()
  const mib = (v: number): number => Math.round((v / 1048576) * 10) / 10
  return { rss: mib(m.rss), heapUsed: mib(m.heapUsed), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) }
}

/** Runs a full GC when node was started with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc !== undefined) {
    gc()
    gc()
  }
}
