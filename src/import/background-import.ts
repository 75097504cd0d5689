import type { Logger } from 'pino'
import { UserDirectoryError } from '../errors.js'
import { ImportError } from './import-error.js'
import { runImport } from './importer.js'
import type { ImportDirectory } from './importer.js'
import type { LiveChanges } from './live-changes.js'
import { defaultImportOptions } from './options.js'
import type { Clock } from '../clock.js'
import type { ImportOptions, ImportStatus } from './options.js'
import { ImportProgress } from './progress.js'

/** Options of {@link BackgroundImport}. */
export interface BackgroundImportOptions {
  directory: ImportDirectory
  /** Serializes the import's writes with live ingestion (the server's write queue). */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>
  /** Where the live paths record what they apply (`noteDeltas` in the queue, `noteUser` in the user route). */
  live: LiveChanges
  /** Homeserver base URL and an admin's access token. */
  homeserverUrl: string
  accessToken: string
  logger: Logger
  clock: Pick<Clock, 'now'>
  /** Passed on to each run (page size, retries, test hooks). Default none. */
  importOptions?: Partial<ImportOptions>
  /**
   * When a run stops because the directory could not store a page (disk
   * full, read-only store), the same run starts again this long after (it
   * resumes at that page), doubling up to 30 minutes while it keeps
   * failing. Default 60,000 ms.
   */
  retryAfterStoreFailureMs?: number
}

const MAX_RETRY_MS = 30 * 60_000

/**
 * One import (or reconcile) at a time, in the background of a running
 * service: progress lines in the log, the status for the stats route, and
 * `live`, where the service's live paths record what they apply so the
 * import never overwrites a newer live update (see `LiveChanges`).
 */
export class BackgroundImport {
  /** Live paths call `noteDeltas` / `noteUser` on this while an import runs (cheap otherwise). */
  readonly live: LiveChanges
  readonly #options: BackgroundImportOptions
  #running: { controller: AbortController; done: Promise<void> } | null = null
  #status: ImportStatus | null = null
  #retryTimer: ReturnType<typeof setTimeout> | undefined
  #retryDelayMs: number

  constructor(options: BackgroundImportOptions) {
    this.#options = options
    this.live = options.live
    this.#retryDelayMs = options.retryAfterStoreFailureMs ?? 60_000
  }

  /** Starts a run unless one is going; `started: false` means one already was. */
  start(request: { reconcile: boolean; options?: Partial<ImportOptions> }): { started: boolean } {
    if (this.#running !== null) return { started: false }
    this.#cancelRetry()
    const { directory, exclusive, homeserverUrl, accessToken, logger, clock } = this.#options
    const controller = new AbortController()
    const progress = new ImportProgress({ clock, intervalMs: this.#options.importOptions?.progressIntervalMs ?? defaultImportOptions.progressIntervalMs, logger })
    const run = runImport(
      { directory, exclusive, live: this.live },
      {
        ...this.#options.importOptions,
        ...request.options,
        homeserverUrl,
        accessToken,
        reconcile: request.reconcile,
        signal: controller.signal,
        clock,
        logger,
        onProgress: (status) => {
          this.#status = status
          progress.update(status)
        },
      },
    )
    let retry = false
    const done = run.then(
      () => {
        this.#retryDelayMs = this.#options.retryAfterStoreFailureMs ?? 60_000
      },
      (error: unknown) => {
        // runImport already logged why; anything else is a bug worth a stack.
        if (!(error instanceof ImportError)) logger.error({ err: error }, 'import failed')
        retry = !controller.signal.aborted && error instanceof ImportError && error.cause instanceof UserDirectoryError && error.cause.errcode === 'M_UNKNOWN'
      },
    ).finally(() => {
      this.#running = null
      if (retry) this.#scheduleRetry(request)
    })
    this.#running = { controller, done }
    return { started: true }
  }

  /** Whether a run is going. */
  get isRunning(): boolean {
    return this.#running !== null
  }

  /** The running or last run's status, or null if none ran. */
  status(): ImportStatus | null {
    return this.#status
  }

  /** Resolves when the current run (if any) has ended. */
  async idle(): Promise<void> {
    await this.#running?.done
  }

  /** Stops the current run between requests (its applied pages and checkpoint stay), cancels a pending retry, and waits. */
  async stop(): Promise<void> {
    this.#cancelRetry()
    this.#running?.controller.abort()
    await this.idle()
    this.#cancelRetry()
  }

  // The directory refused a page: the same run again later (it resumes there).
  #scheduleRetry(request: { reconcile: boolean; options?: Partial<ImportOptions> }): void {
    const delayMs = this.#retryDelayMs
    this.#retryDelayMs = Math.min(MAX_RETRY_MS, delayMs * 2)
    this.#options.logger.warn({ retryInMs: delayMs }, 'import stopped because the directory could not store a page; it resumes later')
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined
      this.start(request)
    }, delayMs)
    this.#retryTimer.unref()
  }

  #cancelRetry(): void {
    if (this.#retryTimer === undefined) return
    clearTimeout(this.#retryTimer)
    this.#retryTimer = undefined
  }
}
