import { ConfigError } from './config-error.js'

/** What the command line asked for. */
export type Command = { name: 'serve'; configPath: string | null } | { name: 'help' }

/** The usage text of `userdir`. */
export const USAGE = `usage: userdir serve [--config <file.yaml>]
       userdir --help

Runs the Matrix user directory service. Without --config (or USERDIR_CONFIG)
it runs on built-in defaults: 127.0.0.1:8008, data in ./data, and a seeded
demo directory when no homeserver_url is set. USERDIR_* environment
variables override the file; see docs/deployment.md.`

/** Parses `argv` (without node and the script). No command means `serve`. */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Command {
  const rest = [...argv]
  if (rest[0] === 'serve') rest.shift()
  let configPath: string | null = env.USERDIR_CONFIG !== undefined && env.USERDIR_CONFIG !== '' ? env.USERDIR_CONFIG : null
  while (rest.length > 0) {
    const arg = rest.shift() as string
    if (arg === '--help' || arg === '-h' || arg === 'help') return { name: 'help' }
    if (arg === '--config' || arg === '-c') {
      const value = rest.shift()
      if (value === undefined || value.startsWith('-')) throw new ConfigError('--config needs a file path')
      configPath = value
    } else if (arg.startsWith('--config=')) {
      configPath = arg.slice('--config='.length)
    } else {
      throw new ConfigError(`unknown argument ${JSON.stringify(arg)} (try --help)`)
    }
  }
  return { name: 'serve', configPath }
}
