// rebuild(): recompute every derived structure (visibility counters, entries,
// the search index) from the tracked rooms and users.
import type { UserDirectory } from '../../src/index.js'

/** Milliseconds one `rebuild()` takes. */
export async function measureRebuild(dir: UserDirectory): Promise<number> {
  const start = performance.now()
  await dir.rebuild()
  return performance.now() - start
}
