// Shared by the crash tests: a seeded generator and a runner that SIGKILLs
// a child after it has acknowledged a given number of positions.
import { spawn } from 'node:child_process'
import { SeededRandom } from '../../src/seeded-random.js'

/** Kills per crash test: 20 by default, `USERDIR_CRASH_KILLS` raises it. */
export const CRASH_KILLS = Number(process.env.USERDIR_CRASH_KILLS ?? 20)
/** The seed of the kill points; `USERDIR_CRASH_SEED` replays a failure. */
export const CRASH_SEED = Number(process.env.USERDIR_CRASH_SEED ?? Date.now() % 1_000_000)
/** Children start in ~0.7 s (tsx, lmdb, pino): two stores are crashed side by side to keep each test short. */
export const CRASH_LANES = 2

/** The seeded generator of src/seeded-random.ts as a function returning numbers in [0, 1). */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed)
  return () => random.next()
}

/** What a killed child left: the last position it printed, and how it ended. */
export interface KilledRun {
  lastAck: number
  signal: NodeJS.Signals | null
  stderr: string
}

/**
 * Runs `node --import tsx <script> <dir>`, which prints one position per line
 * after each acknowledged commit, and SIGKILLs it as soon as `acks` lines
 * have arrived: the child is by then inside a later commit more often than not.
 */
export function runAndKill(script: string, dir: string, acks: number): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'pipe'] })
    let lastAck = 0
    let seen = 0
    let pending = ''
    let stderr = ''
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    proc.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        lastAck = Number(line)
        seen++
      }
      if (seen >= acks) proc.kill('SIGKILL')
    })
    proc.on('error', reject)
    proc.on('close', (_code, signal) => resolve({ lastAck, signal, stderr }))
  })
}
