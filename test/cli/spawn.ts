// Runs the CLI as its own process and reads its JSON log lines.
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'

export const REPO = resolve(import.meta.dirname, '../..')
export const TSX = resolve(REPO, 'node_modules/.bin/tsx')

export interface Spawned {
  child: ChildProcess
  /** Resolves with the first log line that `match` accepts; rejects if the process exits first. */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
  /** Resolves with the exit code and everything written to stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>
}

export function spawnCli(command: string, args: string[], options: { cwd: string; env: Record<string, string> }): Spawned {
  const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  // A safety net against a hung child, not a timing assertion.
  const guard = setTimeout(() => child.kill('SIGKILL'), 25_000)
  guard.unref()
  let stdout = ''
  let stderr = ''
  const lines: Record<string, unknown>[] = []
  const waiters: { match: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void; reject: (e: Error) => void }[] = []
  let pending = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
    pending += chunk.toString()
    let newline: number
    while ((newline = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, newline)
      pending = pending.slice(newline + 1)
      let line: Record<string, unknown>
      try {
        line = JSON.parse(text) as Record<string, unknown>
      } catch {
        continue
      }
      lines.push(line)
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1)
          waiter.resolve(line)
        }
      }
    }
  })
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; stdout: string }>((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(guard)
      for (const waiter of waiters.splice(0)) waiter.reject(new Error(`process exited (${code ?? signal}) before the log line; stderr: ${stderr}; stdout: ${stdout}`))
      resolve({ code, signal, stderr, stdout })
    })
  })
  return {
    child,
    exited,
    waitForLog(match) {
      const seen = lines.find(match)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => waiters.push({ match, resolve, reject }))
    },
  }
}
