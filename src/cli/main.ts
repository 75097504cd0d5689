// The `userdir` entry point (`npm start`, bin/userdir.js): the only place
// that touches the real process.
import { runCli } from './run-cli.js'

await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  printError: (line) => process.stderr.write(`${line}\n`),
  printOut: (line) => process.stdout.write(`${line}\n`),
  writeError: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  onStopSignal: (handler) => {
    process.once('SIGTERM', () => handler('SIGTERM'))
    process.once('SIGINT', () => handler('SIGINT'))
  },
  exit: (code) => process.exit(code),
})
