// What the results were measured on: CPU, memory, OS, and the versions of
// Node, the engine's packages and the databases compared.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'

function packageVersion(name: string): string {
  try {
    const json = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
    return json.version
  } catch {
    return 'not installed'
  }
}

/** The checked-out commit, with "+changes" when the engine's files differ from it. */
function engineCommit(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: import.meta.dirname, encoding: 'utf8' }).trim()
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--', '../../src') === '' ? '' : '+changes'}`
  } catch {
    return 'unknown'
  }
}

export function machineInfo(extra: Record<string, string>): Record<string, string> {
  const cpu = cpus()
  return {
    commit: engineCommit(),
    cpu: `${cpu.length} × ${cpu[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(totalmem() / 2 ** 30)} GiB`,
    os: `Linux ${release()}`,
    node: `${process.version} (${process.execArgv.filter((a) => a.startsWith('--max-')).join(' ')})`,
    flexsearch: packageVersion('flexsearch'),
    lmdb: packageVersion('lmdb'),
    'better-sqlite3': packageVersion('better-sqlite3'),
    pg: packageVersion('pg'),
    autocannon: packageVersion('autocannon'),
    ...extra,
  }
}
