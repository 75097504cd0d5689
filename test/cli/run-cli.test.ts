import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { runCli, USAGE } from '../../src/cli/index.js'
import type { CliProcess } from '../../src/cli/index.js'

const test = suite('src/cli/run-cli.ts')

function fakeProcess(argv: string[], env: Record<string, string> = {}) {
  const out: string[] = []
  const err: string[] = []
  const exits: number[] = []
  const proc: CliProcess = {
    argv,
    env,
    printError: (line) => err.push(line),
    printOut: (line) => out.push(line),
    onStopSignal: () => {},
    exit: (code) => exits.push(code),
  }
  return { proc, out, err, exits }
}

test('--help prints the usage and does not exit with an error', async () => {
  const { proc, out, exits } = fakeProcess(['--help'])
  await runCli(proc)
  assert.equal(out, [USAGE])
  assert.equal(exits, [])
})

test('a bad argument or option prints one line and exits 1', async () => {
  const bad = fakeProcess(['serve', '--verbose'])
  await runCli(bad.proc)
  assert.equal(bad.err, ['userdir: unknown argument "--verbose" (try --help)'])
  assert.equal(bad.exits, [1])
  const env = fakeProcess([], { USERDIR_LISTEN_PORT: 'http' })
  await runCli(env.proc)
  assert.equal(env.err, ['userdir: USERDIR_LISTEN_PORT must be a port number (0 to 65535), got "http"'])
  assert.equal(env.exits, [1])
})

test.run()
