// Test entry: runs every `*.test.ts` under test/ (or the files and folders
// given as arguments) in one uvu process, then prints the closing line CI
// reads: `N passed, N failed`.
import { readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

function collect(path: string, out: string[]): void {
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out)
  } else if (path.endsWith('.test.ts')) {
    out.push(resolve(path))
  }
}

// A background promise nobody handles is a bug (issue 19): it would crash
// the service. Record each, say which, and fail the run.
const strays: string[] = []
const describeStray = (kind: string, error: unknown): string => `${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
process.on('unhandledRejection', (reason) => {
  strays.push(describeStray('unhandledRejection', reason))
  console.error(`\n${strays[strays.length - 1]}\n`)
})
process.on('uncaughtException', (error) => {
  strays.push(describeStray('uncaughtException', error))
  console.error(`\n${strays[strays.length - 1]}\n`)
})

const roots = process.argv.slice(2)
const files: string[] = []
for (const root of roots.length > 0 ? roots : ['test']) collect(root, files)

const globals = globalThis as unknown as { UVU_DEFER: number; UVU_QUEUE: unknown[][]; UVU_INDEX: number }
globals.UVU_DEFER = 1
globals.UVU_QUEUE = []
const uvu = await import('uvu')

// uvu prints "Total: N" and "Passed: N"; read them back from its output.
let output = ''
const write = process.stdout.write.bind(process.stdout)
// Each file's wall time: from uvu's header line for it to the next header (or the end).
const relative = files.map((file) => file.slice(resolve('.').length + 1))
const fileTimes: [string, number][] = []
let current: { name: string; start: number } | undefined
const closeCurrent = (): void => {
  if (current !== undefined) fileTimes.push([current.name, performance.now() - current.start])
}
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
  output += text
  const header = relative.find((name) => text.includes(name))
  if (header !== undefined && header !== current?.name) {
    closeCurrent()
    current = { name: header, start: performance.now() }
  }
  return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest)
}) as typeof process.stdout.write

for (const [index, file] of files.entries()) {
  globals.UVU_INDEX = index
  globals.UVU_QUEUE.push([file.slice(resolve('.').length + 1)])
  await import(pathToFileURL(file).href)
}
await uvu.exec(false)
closeCurrent()
process.stdout.write = write
const slowest = [...fileTimes].sort((a, b) => b[1] - a[1])
console.log('\nWall time per file, slowest first:')
for (const [name, ms] of slowest) console.log(`${(ms / 1000).toFixed(1).padStart(7)} s  ${name}`)

// eslint-disable-next-line no-control-regex
const plain = output.replace(/\x1b\[[0-9;]*m/g, '')
const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0)
const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0)
const failed = total - passed
console.log(`${passed} passed, ${failed} failed`)
if (failed > 0 || total === 0) process.exitCode = 1
// Let stray rejections of the last tests surface before judging.
await new Promise((resolve) => setTimeout(resolve, 50))
if (strays.length > 0) {
  console.log(`${strays.length} unhandled rejection(s) or uncaught exception(s) during the run (the run fails):`)
  for (const stray of strays) console.log(`  ${stray.split('\n')[0]}`)
  process.exitCode = 1
}
