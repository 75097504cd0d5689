import type { Logger } from 'pino'
import { ImportError } from './import-error.js'
import { runImport } from './importer.js'
import type { ImportDirectory } from './importer.js'
import type { LiveChanges } from './live-changes.js'
import { defaultImportOptions } from './options.js'
import type { ImportClock, ImportOptions, ImportStatus } from './options.js'
import { ImportProgress } from './progress.js'

/** Options of {@link BackgroundImport}. */
export interface BackgroundImportOptions {
  directory: ImportDirectory
  /** Serializes the import's writes with live ingestion (the server's ingest queue). */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>
  /** Where the live paths record what they apply (`noteDeltas` in the queue, `noteUser` in the user route). */
  live: LiveChanges
  /** Homeserver base URL and an admin's access token. */
  homeserverUrl: string
  accessToken: string
  logger: Logger
  clock: ImportClock
  /** Passed on to each run (page size, retries, test hooks). Default none. */
  importOptions?: Partial<ImportOptions>
}

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

  constructor(options: BackgroundImportOptions) {
    this.#options = options
    this.live = options.live
  }

  /** Starts a run unless one is going; `started: false` means one already was. */
  start(request: { reconcile: boolean }): { started: boolean } {
    if (this.#running !== null) return { started: false }
    const { directory, exclusive, homeserverUrl, accessToken, logger, clock } = this.#options
    const controller = new AbortController()
    const progress = new ImportProgress({ clock, intervalMs: this.#options.importOptions?.progressIntervalMs ?? defaultImportOptions.progressIntervalMs, logger })
    const run = runImport(
      { directory, exclusive, live: this.live },
      {
        ...this.#options.importOptions,
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
    const done = run.then(
      () => undefined,
      (error: unknown) => {
        // runImport already logged why; anything else is a bug worth a stack.
        if (!(error instanceof ImportError)) logger.error({ err: error }, 'import failed')
      },
    ).finally(() => {
      this.#running = null
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

  /** Stops the current run between requests (its applied pages and checkpoint stay) and waits for it. */
  async stop(): Promise<void> {
    this.#running?.controller.abort()
    await this.idle()
  }
}
