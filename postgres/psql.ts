// Runs SQL through psql and reads back one JSON value. Inputs travel as one
// base64 JSON document, so any string (quotes, backslashes, newlines) arrives
// intact; `inputs` in the SQL is a json array of them.
import { spawnSync } from 'node:child_process'
import { ensurePostgres } from './server.js'

let connection: string[] | undefined

/** Runs a script (statements separated by ';') and returns psql's unaligned output. */
export function runSql(script: string): string {
  connection ??= ensurePostgres()
  const result = spawnSync('psql', [...connection, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    input: script,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  if (result.status !== 0) throw new Error(`psql failed: ${result.stderr.slice(0, 2000)}`)
  return result.stdout
}

/** A SQL expression of type json holding `value`. */
export function jsonLiteral(value: unknown): string {
  const b64 = Buffer.from(JSON.stringify(value), 'utf8').toString('base64')
  return `convert_from(decode('${b64}', 'base64'), 'UTF8')::json`
}

/** Runs a query whose single row and column is json, and parses it. */
export function queryJson<T>(sql: string): T {
  const out = runSql(`${sql};`).trim()
  return JSON.parse(out === '' ? 'null' : out) as T
}
