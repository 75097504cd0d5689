/**
 * Where an import got to, kept in the directory's own store (its meta
 * database, through `UserDirectory.importAccess.setMeta`) rather than in a
 * file beside it: it lives and dies with the data it describes, and each page's
 * checkpoint commits in the same transaction as the page (inside
 * `UserDirectory.batch`), so the two cannot disagree after a crash.
 */
export interface ImportCheckpoint {
  /** Which homeserver was being imported (a different URL starts over). */
  homeserverUrl: string
  /** `done` once every page was applied; then a new import starts from the beginning. */
  phase: 'users' | 'rooms' | 'done'
  /** `from` of the next users page (null: the first). */
  usersFrom: string | null
  /** Offset of the next rooms page. */
  roomsFrom: number
  usersDone: number
  roomsDone: number
  startedAtMs: number
  finishedAtMs: number | null
}

/** The meta key of the checkpoint. */
export const CHECKPOINT_KEY = 'import/checkpoint'

/** Reads a stored checkpoint; anything not shaped like one (an older layout, damage) reads as none. */
export function parseCheckpoint(value: unknown): ImportCheckpoint | null {
  if (typeof value !== 'object' || value === null) return null
  const v = (key: string): unknown => Reflect.get(value, key)
  const phase = v('phase')
  const usersFrom = v('usersFrom')
  const finishedAtMs = v('finishedAtMs')
  const homeserverUrl = v('homeserverUrl')
  if (typeof homeserverUrl !== 'string') return null
  if (phase !== 'users' && phase !== 'rooms' && phase !== 'done') return null
  if (usersFrom !== null && typeof usersFrom !== 'string') return null
  if (finishedAtMs !== null && !isCount(finishedAtMs)) return null
  const roomsFrom = v('roomsFrom')
  const usersDone = v('usersDone')
  const roomsDone = v('roomsDone')
  const startedAtMs = v('startedAtMs')
  if (!isCount(roomsFrom) || !isCount(usersDone) || !isCount(roomsDone) || !isCount(startedAtMs)) return null
  return { homeserverUrl, phase, usersFrom, roomsFrom, usersDone, roomsDone, startedAtMs, finishedAtMs }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
}
