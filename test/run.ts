// Test entry: runs every `*.test.ts` under test/ (or the files and folders
// given as arguments), each in its own process (test/run-one.ts, so no file
// sees another's module state and uvu runs through its public autorun),
// `--jobs N` at a time (default: the machine's parallelism). Prints each
// file's output when it ends, the wall time per file slowest first, then the
// closing line CI reads: `N passed, N failed`. A file with an unhandled
// rejection, an uncaught exception or a crash fails the run.
//
//   npx tsx test/run.ts [--jobs N] [file-or-folder ...]
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { parseArgs } from 'node:util'

/** A file that runs longer than this is killed and counted as failed. */
const FILE_TIMEOUT_MS = 10 * 60_000

interface FileResult {
  name: string
  wallMs: number
  total: number
  passed: number
  exitCode: number | null
  strays: number
  timedOut: boolean
}

// A folder contributes its `*.test.ts` files; a file named on the command line is run whatever its name.
function collect(path: string, out: string[], isNamed = true): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out, false)
  } else if (isNamed || path.endsWith('.test.ts')) {
    out.push(resolve(path))
  }
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '')

function runFile(file: string): Promise<FileResult> {
  const name = relative('.', file)
  const start = performance.now()
  const env = process.stdout.isTTY && process.env.NO_COLOR === undefined ? { ...process.env, FORCE_COLOR: '1' } : process.env
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run-one.ts'), file], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text))
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    child.kill('SIGKILL')
  }, FILE_TIMEOUT_MS)
  return new Promise((done, fail) => {
    child.on('error', fail)
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      const wallMs = performance.now() - start
      process.stdout.write(`\n${name}\n${output.trimEnd()}\n${timedOut ? `killed after ${FILE_TIMEOUT_MS / 1000} s\n` : ''}`)
      // uvu's closing summary ("Total: N", "Passed: N"), printed by its exec.
      const plain = stripAnsi(output)
      const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0)
      const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0)
      const strays = Number(/^run-one: stray errors: (\d+)$/m.exec(plain)?.[1] ?? 0)
      done({ name, wallMs, total, passed, exitCode, strays, timedOut })
    })
  })
}

// The runner's own strays fail the run as well.
let ownStrays = 0
process.on('unhandledRejection', (reason) => {
  ownStrays++
  console.error(reason)
})

const { values: options, positionals } = parseArgs({ allowPositionals: true, options: { jobs: { type: 'string' } } })
const files: string[] = []
for (const root of positionals.length > 0 ? positionals : ['test']) collect(root, files)
const jobs = Math.max(1, Math.min(files.length, Number(options.jobs ?? availableParallelism())))

const results: FileResult[] = []
let next = 0
async function worker(): Promise<void> {
  while (next < files.length) results.push(await runFile(files[next++]))
}
await Promise.all(Array.from({ length: jobs }, worker))

console.log('\nWall time per file, slowest first:')
for (const r of [...results].sort((a, b) => b.wallMs - a.wallMs)) console.log(`${(r.wallMs / 1000).toFixed(1).padStart(7)} s  ${r.name}`)

let passed = 0
let failed = 0
const broken: string[] = []
for (const r of results) {
  passed += r.passed
  failed += r.total - r.passed
  const stopped = r.timedOut ? `killed after ${FILE_TIMEOUT_MS / 1000} s` : r.total === 0 ? 'ran no tests' : r.exitCode !== 0 && r.total === r.passed && r.strays === 0 ? `exited with ${r.exitCode} before its tests finished` : undefined
  if (r.strays > 0) broken.push(`${r.name}: ${r.strays} unhandled rejection(s) or uncaught exception(s)`)
  // A file that stopped without a failed test of its own counts as one failure.
  if (stopped !== undefined) {
    broken.push(`${r.name}: ${stopped}`)
    if (r.total === r.passed) failed++
  }
}
console.log(`${passed} passed, ${failed} failed`)
if (broken.length > 0) {
  console.log(`${broken.length} file(s) failed outside their assertions (the run fails):`)
  for (const line of broken) console.log(`  ${line}`)
}
if (failed > 0 || broken.length > 0 || ownStrays > 0 || passed === 0) process.exitCode = 1
