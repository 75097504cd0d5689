import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'

const test = suite('test/run')

const fixtures = join(import.meta.dirname, 'run-fixtures')
function runOn(...names: string[]): { status: number | null; stdout: string } {
  const files = names.map((name) => join(fixtures, `${name}.fixture.ts`))
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'run.ts'), '--jobs', '2', ...files], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { status: result.status, stdout: result.stdout }
}

// One run over all four kinds of file (each runner start costs a few processes).
const mixed = runOn('passes', 'fails', 'strays', 'crashes')

test('the closing line counts every file\'s tests, a file that throws at import as one failure', () => {
  // passes 2/2, fails 1/2, strays 1/1, crashes 0/0 (+1 failed)
  assert.match(mixed.stdout, /\n4 passed, 2 failed\n/)
  assert.match(mixed.stdout, /crashes\.fixture\.ts: ran no tests/)
  assert.is(mixed.status, 1)
})

test('each file\'s wall time is listed, slowest first', () => {
  const listing = /Wall time per file, slowest first:\n((?:\s+\d+\.\d s {2}\S+\n)+)/.exec(mixed.stdout)
  assert.ok(listing, mixed.stdout)
  const rows = listing[1].trimEnd().split('\n').map((line) => /(\d+\.\d) s {2}test\/run-fixtures\/(\w+)\.fixture\.ts/.exec(line))
  assert.equal(rows.map((row) => row?.[2]).sort(), ['crashes', 'fails', 'passes', 'strays'])
  const seconds = rows.map((row) => Number(row?.[1]))
  assert.equal(seconds, [...seconds].sort((a, b) => b - a))
})

test('an unhandled rejection fails the run though every assertion of its file passed', () => {
  assert.match(mixed.stdout, /strays\.fixture\.ts: 1 unhandled rejection\(s\) or uncaught exception\(s\)/)
})

test('the run passes when every test passes', () => {
  const { status, stdout } = runOn('passes')
  assert.match(stdout, /\n2 passed, 0 failed\n/)
  assert.is(status, 0)
})

test.run()
