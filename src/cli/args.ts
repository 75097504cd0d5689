import { ConfigError } from './config-error.js'

/** What the command line asked for. */
export type Command =
  | { name: 'serve'; configPath: string | null; demo: boolean }
  | { name: 'import'; configPath: string | null; homeserverUrl: string | null; adminTokenFile: string | null; reconcile: boolean }
  | { name: 'help' }

/** The usage text of `userdir`. */
export const USAGE = `usage: userdir serve [--config <file.yaml>] [--demo]
       userdir import --homeserver <url> --admin-token-file <file> [--config <file.yaml>] [--reconcile]
       userdir --help

serve runs the Matrix user directory service on 127.0.0.1:8090 by default.
With nothing configured (no --config or USERDIR_CONFIG, no server_name,
homeserver_url or access_tokens) it runs a generated demo directory with the
token userdir-demo-token; --demo asks for the demo explicitly. A configured
service needs homeserver_url (or access_tokens) to check access tokens.

import loads the directory in data_path from a running Synapse's Admin API
(every local user, every room's state), resuming an interrupted import;
--reconcile compares instead and fixes the differences. Run it while serve
is stopped, or use POST /_userdir/admin/v1/import on the running service.
--homeserver and --admin-token-file default to homeserver_url and
synapse_admin_token_file. USERDIR_* environment variables override the
file; see docs/deployment.md.`

/** Parses `argv` (without node and the script). No command means `serve`. */
export function parseArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Command {
  const rest = [...argv]
  const isImport = rest[0] === 'import'
  if (rest[0] === 'serve' || isImport) rest.shift()
  let configPath: string | null = env.USERDIR_CONFIG !== undefined && env.USERDIR_CONFIG !== '' ? env.USERDIR_CONFIG : null
  let homeserverUrl: string | null = null
  let adminTokenFile: string | null = null
  let reconcile = false
  let demo = false
  while (rest.length > 0) {
    const arg = rest.shift() as string
    if (arg === '--help' || arg === '-h' || arg === 'help') return { name: 'help' }
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = (what: string): string => {
      const next = inline ?? rest.shift()
      if (next === undefined || next === '' || (inline === undefined && next.startsWith('-'))) throw new ConfigError(`${flag} needs ${what}`)
      return next
    }
    if (flag === '--config' || flag === '-c') configPath = value('a file path')
    else if (isImport && flag === '--homeserver') homeserverUrl = value('the homeserver URL')
    else if (isImport && flag === '--admin-token-file') adminTokenFile = value('a file path')
    else if (isImport && arg === '--reconcile') reconcile = true
    else if (!isImport && arg === '--demo') demo = true
    else throw new ConfigError(`unknown argument ${JSON.stringify(arg)} (try --help)`)
  }
  return isImport ? { name: 'import', configPath, homeserverUrl, adminTokenFile, reconcile } : { name: 'serve', configPath, demo }
}
