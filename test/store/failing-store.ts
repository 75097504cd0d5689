// A DirectoryStore wrapper that refuses commits on demand, as a full disk or
// a read-only file system would: while `failing` is set, on every
// `failEvery`-th commit, or for the next `failNext` commits. A refused
// commit stores nothing and throws what LmdbStore throws (M_UNKNOWN, path
// and cause in the message).
import { UserDirectoryError } from '../../src/errors.js'
import { LmdbStore } from '../../src/store/index.js'
import type { DirectoryStore, StoreBatch, StoredState } from '../../src/store/index.js'

export class FailingStore implements DirectoryStore {
  failing = false
  failEvery = 0
  failNext = 0
  commits = 0
  failures = 0
  readonly inner: DirectoryStore
  readonly path: string

  constructor(inner: DirectoryStore, path = '/var/lib/userdir-injected') {
    this.inner = inner
    this.path = path
  }

  static async open(path: string): Promise<FailingStore> {
    return new FailingStore(await LmdbStore.open(path), path)
  }

  load(): StoredState {
    return this.inner.load()
  }

  releaseMappedPages(): Promise<void> {
    return this.inner.releaseMappedPages()
  }

  commit(batch: StoreBatch): void {
    this.commits++
    const fail = this.failing || this.failNext > 0 || (this.failEvery > 0 && this.commits % this.failEvery === 0)
    if (this.failNext > 0) this.failNext--
    if (fail) {
      this.failures++
      throw new UserDirectoryError('M_UNKNOWN', `could not commit a batch to the store at ${this.path}: MDB_DISK_FULL: ENOSPC: no space left on device (injected). Nothing of this batch was stored.`)
    }
    this.inner.commit(batch)
  }

  getMeta(key: string): unknown {
    return this.inner.getMeta(key)
  }

  metaEntries(prefix: string): Iterable<[string, unknown]> {
    return this.inner.metaEntries(prefix)
  }

  get notWritableBecause(): string | null {
    return this.inner.notWritableBecause
  }

  async recheck(): Promise<string | null> {
    if (this.failing) return 'injected: the disk is still full'
    return this.inner.recheck()
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
