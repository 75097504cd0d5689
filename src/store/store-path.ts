import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, readdirSync, statSync, statfsSync } from 'node:fs'
import { join } from 'node:path'
import { LMDB_PROBE_BYTES, checkLmdbHeader } from './lmdb-header.js'
import { messageOf, unusableStore as unusable } from './store-errors.js'

/** LMDB's two files in an environment directory. */
const DATA_FILE = 'data.mdb'
const LOCK_FILE = 'lock.mdb'
/**
 * Free space below which a store whose files do not all exist yet is not
 * opened: LMDB maps its new files and the process dies of SIGBUS when the
 * disk cannot back them. 1 MiB holds a new store's first pages and lock file.
 */
const MIN_FREE_BYTES_TO_CREATE = 1024 * 1024

/** What {@link prepareStorePath} found at a store path before LMDB sees it. */
interface StorePathState {
  /** `true`: no LMDB data yet (new or empty directory, or an empty `data.mdb`); the store must be initialised. */
  isNew: boolean
  /** Why the store cannot be written (directory or `data.mdb` not writable), or `null`. */
  notWritableBecause: string | null
}

/**
 * Throws `UserDirectoryError` (one line: the path, the free bytes, what to
 * do) when `path`'s file system has less than {@link MIN_FREE_BYTES_TO_CREATE}
 * free and LMDB would have to create `data.mdb` or `lock.mdb` there.
 */
export function checkSpaceToCreate(path: string): void {
  if (existsSync(join(path, DATA_FILE)) && statSync(join(path, DATA_FILE)).size > 0 && existsSync(join(path, LOCK_FILE))) return
  let freeBytes: number
  try {
    const stats = statfsSync(path)
    freeBytes = stats.bavail * stats.bsize
  } catch {
    return
  }
  if (freeBytes < MIN_FREE_BYTES_TO_CREATE) {
    throw unusable(path, `the disk is full (${freeBytes} bytes free; creating the store needs at least ${MIN_FREE_BYTES_TO_CREATE}). Free some space and start again`)
  }
}

/**
 * Checks a store path before LMDB opens it, and creates the directory if it
 * does not exist. Throws `UserDirectoryError` (`M_UNKNOWN`) without touching
 * anything when the path is a file, a directory of unrelated files, or holds
 * a `data.mdb` that lmdb-js cannot open (lmdb 3.5 segfaults on those).
 */
export function prepareStorePath(path: string): StorePathState {
  let isDirectory: boolean
  try {
    isDirectory = statSync(path).isDirectory()
  } catch (cause) {
    if (errnoOf(cause) !== 'ENOENT') throw unusable(path, `it cannot be read (${messageOf(cause)})`, cause)
    try {
      mkdirSync(path, { recursive: true })
    } catch (mkdirCause) {
      throw unusable(path, `the directory cannot be created (${messageOf(mkdirCause)})`, mkdirCause)
    }
    return { isNew: true, notWritableBecause: null }
  }
  if (!isDirectory) {
    throw unusable(path, 'it is a file, not a directory. Give the path of a directory: a new or empty one creates a store')
  }
  const names = readdirSync(path)
  const dataPath = join(path, DATA_FILE)
  const dataSizeBytes = names.includes(DATA_FILE) ? statSync(dataPath).size : 0
  const notWritableBecause = whyNotWritable(path, names.includes(DATA_FILE) ? dataPath : null)
  if (dataSizeBytes === 0) {
    // An empty data.mdb or a lone lock.mdb is what an interrupted first open leaves.
    const others = names.filter((name) => name !== DATA_FILE && name !== LOCK_FILE)
    if (others.length > 0) {
      const shown = others.slice(0, 5).join(', ') + (others.length > 5 ? ', …' : '')
      throw unusable(path, `it is a directory of other files (${shown}) without an LMDB ${DATA_FILE}; a store is only created in a new or empty directory`)
    }
    return { isNew: true, notWritableBecause }
  }
  const head = readHead(dataPath, Math.min(dataSizeBytes, LMDB_PROBE_BYTES))
  const check = checkLmdbHeader(head, dataSizeBytes)
  if (!check.isLmdb) throw unusable(path, `its ${DATA_FILE} cannot be opened: ${check.problem}. It is not a matrix-userdir store; give a new or empty directory, or move that file away`)
  return { isNew: false, notWritableBecause }
}

function readHead(file: string, lengthBytes: number): Uint8Array {
  const head = new Uint8Array(lengthBytes)
  const fd = openSync(file, 'r')
  try {
    let offset = 0
    while (offset < lengthBytes) {
      const read = readSync(fd, head, offset, lengthBytes - offset, offset)
      if (read === 0) break
      offset += read
    }
    return head.subarray(0, offset)
  } finally {
    closeSync(fd)
  }
}

export function whyNotWritable(path: string, dataPath: string | null): string | null {
  for (const target of dataPath === null ? [path] : [path, dataPath]) {
    try {
      accessSync(target, constants.W_OK)
    } catch (cause) {
      return `${target} is not writable (${errnoOf(cause) ?? messageOf(cause)})`
    }
  }
  return null
}

function errnoOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined
}
