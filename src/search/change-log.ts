import { grown } from './grow.js'

// Changed ids kept for patching cached rankings; older lists are rebuilt.
const CHANGE_LOG_KEEP = 1 << 15

/**
 * Which dense ids changed when: a version counting every change, the
 * version at which each id last changed, and the recent changes in order
 * (the last 32,768 to 65,536), from which the searcher patches a cached
 * ranking instead of rebuilding it.
 */
export class ChangeLog {
  #version = 0
  #changedAt = new Uint32Array(1024)
  #log: number[] = []
  #base = 0

  /** Counts changes: every `markChanged` increments it. */
  get version(): number {
    return this.#version
  }

  /** The version at which `id` last changed (0: never). */
  changedAt(id: number): number {
    return id < this.#changedAt.length ? this.#changedAt[id] : 0
  }

  /**
   * The ids changed after `version` (with repeats), or undefined when the log
   * no longer reaches back that far.
   */
  changesSince(version: number): readonly number[] | undefined {
    if (version < this.#base) return undefined
    return this.#log.slice(version - this.#base)
  }

  /** Records a change of `id`. */
  markChanged(id: number): void {
    if (id >= this.#changedAt.length) this.#changedAt = grown(this.#changedAt, Math.max(id + 1, this.#changedAt.length * 2))
    this.#changedAt[id] = ++this.#version
    this.#log.push(id)
    if (this.#log.length > 2 * CHANGE_LOG_KEEP) {
      this.#log.splice(0, CHANGE_LOG_KEEP)
      this.#base += CHANGE_LOG_KEEP
    }
  }
}
