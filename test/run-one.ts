// Runs one test file in this process, the way `npx tsx test/x.test.ts` does
// (uvu runs the file's suites after its import), and fails the process on an
// unhandled rejection or uncaught exception. test/run.ts starts one of these
// per file.
//
//   node --import tsx test/run-one.ts <file.test.ts>
import { pathToFileURL } from 'node:url'

// test/run.ts reads this line to count the file's stray errors.
const STRAY_MARKER = 'run-one: stray errors:'

// A background promise nobody handles is a bug (issue 19): it would crash
// the service. Record each, say which, and fail the file.
const strays: string[] = []
const record = (kind: string, error: unknown): void => {
  strays.push(`${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  console.error(`\n${strays[strays.length - 1]}\n`)
}
process.on('unhandledRejection', (reason) => record('unhandledRejection', reason))
process.on('uncaughtException', (error) => record('uncaughtException', error))
// 'exit' comes after uvu has set the exit code from its results, and after
// every late rejection the event loop still ran.
process.on('exit', () => {
  if (strays.length === 0) return
  process.stdout.write(`\n${STRAY_MARKER} ${strays.length}\n${strays.map((s) => `  ${s.split('\n')[0]}`).join('\n')}\n`)
  process.exitCode = 1
})

const file = process.argv[2]
if (file === undefined) throw new Error('usage: node --import tsx test/run-one.ts <file.test.ts>')
await import(pathToFileURL(file).href)
