// The store the scenario suites run on: a memory store (the default), or an
// LMDB store in a fresh temporary directory per homeserver when the file
// under test/scenarios/lmdb/ that runs the suite imports './use-lmdb.js'
// first. Suites create homeservers with `createHomeserver` and name
// themselves with `scenarioSuite`, so one suite runs on both stores.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import type { Test } from 'uvu'
import { TestHomeserver } from '../../src/index.js'
import type { TestHomeserverOptions } from '../../src/testing/test-homeserver.js'

/** Which store `createHomeserver` opens; set once, before a suite module runs. */
export const scenarioStore: { kind: 'memory' | 'lmdb' } = { kind: 'memory' }

const made: string[] = []
process.on('exit', () => {
  for (const path of made) rmSync(path, { recursive: true, force: true })
})

/** A homeserver whose directory is on this run's store (a `path` given by the test is kept as it is). */
export function createHomeserver(options: TestHomeserverOptions = {}): Promise<TestHomeserver> {
  if (scenarioStore.kind === 'memory' || options.path !== undefined) return TestHomeserver.create(options)
  const path = mkdtempSync(join(tmpdir(), 'userdir-scenario-'))
  made.push(path)
  return TestHomeserver.create({ ...options, path })
}

/** A uvu suite named after the scenario and, when not the default memory store, the store. */
export function scenarioSuite(name: string): Test {
  return suite(scenarioStore.kind === 'memory' ? name : `${name} (LMDB)`)
}
