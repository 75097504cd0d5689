// The LMDB store's size on disk: the data file's length and the blocks it
// really occupies (LMDB grows its map in steps, so the two differ).
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { StoreSize } from '../report/types.js'

export function lmdbSize(path: string): StoreSize {
  let fileBytes = 0
  let diskBytes = 0
  for (const name of readdirSync(path)) {
    const stat = statSync(join(path, name))
    if (!stat.isFile()) continue
    fileBytes += stat.size
    diskBytes += stat.blocks * 512
  }
  return { fileBytes, diskBytes }
}
