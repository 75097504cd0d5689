// Regenerates every PostgreSQL golden in snapshots/ with the default counts
// and seeds (installs and starts PostgreSQL 15 if needed; takes about a
// minute). Usage: npx tsx test/oracle/capture-all.ts
import { spawnSync } from 'node:child_process'

for (const script of ['capture-text-cases.ts', 'capture-rank-cases.ts', 'capture-search.ts']) {
  const result = spawnSync('npx', ['tsx', `test/oracle/${script}`, '--write'], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}
