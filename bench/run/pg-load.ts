// Loads the corpus into Synapse's tables on the oracle's private PostgreSQL
// (postgres/server.ts installs and starts it): COPY through psql's
// stdin, vectors built by PostgreSQL from Synapse's expression, then the
// indexes and ANALYZE. Reports the load time and the tables' sizes.
import { spawn, spawnSync } from 'node:child_process'
import pg from 'pg'
import { ensurePostgres } from '../../postgres/index.js'
import type { BenchCorpus } from '../../corpus/index.js'
import { PG_DIRECTORY_TABLES, PG_FILL_VECTORS, PG_INDEXES, PG_TABLES } from './pg-schema.js'
import { directoryRows, privatePairRows, publicRoomRows } from '../../corpus/index.js'
import type { PgTableSize } from '../report/types.js'

export const BENCH_DATABASE = 'userdir_bench'


/** Starts PostgreSQL if needed and returns psql arguments for the bench database (created empty if missing). */
export function pgConnection(): { psqlArgs: string[]; client: () => pg.Client; version: string } {
  const args = ensurePostgres()
  const host = args[args.indexOf('-h') + 1]
  const port = Number(args[args.indexOf('-p') + 1])
  const psql = (db: string, sql: string): string => {
    const result = spawnSync('psql', [...args, '-d', db, '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c', sql], { encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`psql: ${result.stderr}`)
    return result.stdout.trim()
  }
  if (psql('postgres', `SELECT count(*) FROM pg_database WHERE datname = '${BENCH_DATABASE}'`) === '0') psql('postgres', `CREATE DATABASE ${BENCH_DATABASE}`)
  return {
    psqlArgs: [...args, '-d', BENCH_DATABASE],
    client: () => new pg.Client({ host, port, user: 'postgres', database: BENCH_DATABASE }),
    version: psql('postgres', 'SHOW server_version'),
  }
}

function runPsql(psqlArgs: string[], sql: string): void {
  const result = spawnSync('psql', [...psqlArgs, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: sql, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`psql: ${result.stderr.slice(0, 2000)}`)
}

const copyField = (v: string | null): string => (v === null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'))

/** Streams rows into `COPY table FROM STDIN`, respecting back-pressure. */
async function copyRows(psqlArgs: string[], table: string, rows: Iterable<(string | null)[]>): Promise<number> {
  const child = spawn('psql', [...psqlArgs, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY ${table} FROM STDIN`], { stdio: ['pipe', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  let count = 0
  let chunk = ''
  for (const row of rows) {
    chunk += row.map(copyField).join('\t') + '\n'
    count++
    if (chunk.length > 1 << 16) {
      if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve))
      chunk = ''
    }
  }
  child.stdin.end(chunk)
  if ((await exited) !== 0) throw new Error(`COPY ${table} failed: ${stderr.slice(0, 2000)}`)
  return count
}

/** Loads the corpus into Synapse's tables; returns seconds per step and the tables' sizes. */
export async function loadPostgres(psqlArgs: string[], corpus: BenchCorpus): Promise<{ loadMs: Record<string, number>; sizes: PgTableSize[] }> {
  const loadMs: Record<string, number> = {}
  const step = async (name: string, work: () => unknown): Promise<void> => {
    const t0 = performance.now()
    await work()
    loadMs[name] = performance.now() - t0
  }
  const users = corpus.users
  const rooms = corpus.rooms
  await step('tables', () => runPsql(psqlArgs, `SET client_min_messages = warning; ${PG_TABLES}`))
  await step('users', () => copyRows(psqlArgs, 'users (name, locked)', corpus.locals.map((i) => [users[i].userId, users[i].locked ? 't' : 'f'])))
  await step('user_directory', async () => {
    const rows = [...directoryRows(corpus)]
    await copyRows(psqlArgs, 'user_directory (user_id, display_name, avatar_url)', rows.map((r) => [r.user.userId, r.user.displayName, r.user.avatarUrl]))
    await copyRows(psqlArgs, 'bench_profiles', rows.map((r) => [r.user.userId, r.user.localpart, r.user.server, r.normalizedName]))
  })
  await step('user_directory_search', () => runPsql(psqlArgs, PG_FILL_VECTORS))
  await step('users_in_public_rooms', () => copyRows(psqlArgs, 'users_in_public_rooms', mapRows(publicRoomRows(corpus), ([u, r]) => [users[u].userId, rooms[r].roomId])))
  await step('users_who_share_private_rooms', () => copyRows(psqlArgs, 'users_who_share_private_rooms', mapRows(privatePairRows(corpus), ([l, m, r]) => [users[l].userId, users[m].userId, rooms[r].roomId])))
  await step('indexes', () => runPsql(psqlArgs, PG_INDEXES))
  return { loadMs, sizes: await tableSizes(psqlArgs) }
}

function* mapRows<T>(rows: Iterable<T>, f: (row: T) => (string | null)[]): Generator<(string | null)[]> {
  for (const row of rows) yield f(row)
}

async function tableSizes(psqlArgs: string[]): Promise<PgTableSize[]> {
  const sql = PG_DIRECTORY_TABLES.map((t) => `SELECT '${t}', (SELECT count(*) FROM ${t}), pg_table_size('${t}'), pg_indexes_size('${t}')`).join(' UNION ALL ')
  const result = spawnSync('psql', [...psqlArgs, '-X', '-q', '-At', '-F', '\t', '-c', sql], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`psql: ${result.stderr}`)
  return result.stdout.trim().split('\n').map((line) => {
    const [table, rows, tableBytes, indexBytes] = line.split('\t')
    return { table, rows: Number(rows), tableBytes: Number(tableBytes), indexBytes: Number(indexBytes) }
  })
}
