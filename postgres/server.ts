// Starts (installing it first if needed) a private PostgreSQL 15 cluster
// created the way Synapse requires: ENCODING 'UTF8', LC_COLLATE and LC_CTYPE
// 'C'. Idempotent: reuses the cluster and the running server when present.
// Only the oracle scripts use this; unit tests never need PostgreSQL.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, chownSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const PG_BIN = '/usr/lib/postgresql/15/bin'
const ROOT = join(tmpdir(), 'matrix-userdir-pg')
const PORT = '54329'

function run(command: string, args: string[], asPostgres = false): string {
  const isRoot = process.getuid?.() === 0
  const [cmd, argv] = asPostgres && isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  const result = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 30 })
  if (result.status !== 0) throw new Error(`${command} failed (${result.status}): ${result.stderr}`)
  return result.stdout
}

function install(): void {
  if (existsSync(join(PG_BIN, 'initdb'))) return
  console.error('oracle: installing PostgreSQL 15 with apt-get')
  run('apt-get', ['update'])
  run('env', ['DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', 'postgresql'])
}

/** Ensures the oracle's PostgreSQL runs; returns the psql connection arguments. */
export function ensurePostgres(): string[] {
  install()
  if (!existsSync(ROOT)) {
    mkdirSync(ROOT, { recursive: true })
    if (process.getuid?.() === 0) {
      const uid = Number(run('id', ['-u', 'postgres']).trim())
      const gid = Number(run('id', ['-g', 'postgres']).trim())
      chownSync(ROOT, uid, gid)
    }
  }
  const data = join(ROOT, 'data')
  if (!existsSync(join(data, 'PG_VERSION'))) {
    run(join(PG_BIN, 'initdb'), ['-D', data, '-E', 'UTF8', '--locale=C', '-A', 'trust', '-U', 'postgres'], true)
  }
  const ready = spawnSync(join(PG_BIN, 'pg_isready'), ['-h', ROOT, '-p', PORT], { encoding: 'utf8' })
  if (ready.status !== 0) {
    const options = `-k ${ROOT} -p ${PORT} -c listen_addresses=''`
    run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-l', join(ROOT, 'log'), '-o', options, '-w', 'start'], true)
  }
  return ['-h', ROOT, '-p', PORT, '-U', 'postgres']
}
