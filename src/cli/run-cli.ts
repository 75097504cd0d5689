import { pino } from 'pino'
import type { Logger } from 'pino'
import { parseArgs, USAGE } from './args.js'
import { ConfigError } from './config-error.js'
import { runImportCommand } from './import-command.js'
import { loadConfig } from './load-config.js'
import { startService } from './service.js'

/** Where the CLI talks to the world; `main.ts` passes the real process. */
export interface CliProcess {
  argv: readonly string[]
  env: Readonly<Record<string, string | undefined>>
  /** Prints one line to stderr (config errors, usage). */
  printError(line: string): void
  printOut(line: string): void
  /** Writes raw text to stderr (the import's progress bar). Default: none, no bar. */
  writeError?(text: string): void
  /** Whether stderr is a terminal: then `userdir import` draws a bar instead of logging progress lines. */
  stderrIsTty?: boolean
  /** Calls `handler` once on SIGTERM or SIGINT. */
  onStopSignal(handler: (signal: string) => void): void
  exit(code: number): void
}

/**
 * Runs `userdir`: parses arguments and config, starts the service, and on
 * SIGTERM/SIGINT stops it gracefully and exits 0. A bad option prints one
 * line naming it and exits 1.
 */
export async function runCli(proc: CliProcess): Promise<void> {
  let logger: Logger | undefined
  try {
    const command = parseArgs(proc.argv, proc.env)
    if (command.name === 'help') {
      proc.printOut(USAGE)
      return
    }
    if (command.name === 'import') {
      await runImportCommand(command, proc)
      return
    }
    // --demo wins over the file and USERDIR_DEMO.
    const config = loadConfig(command.configPath, command.demo ? { ...proc.env, USERDIR_DEMO: 'true' } : proc.env)
    logger = pino({ level: config.logLevel, base: { name: 'userdir' } })
    const service = await startService(config, logger)
    let stopping = false
    proc.onStopSignal((signal) => {
      if (stopping) return
      stopping = true
      logger?.info({ signal }, 'signal received')
      service.stop().then(
        () => proc.exit(0),
        (error: unknown) => {
          logger?.error({ err: error }, 'error while stopping')
          proc.exit(1)
        },
      )
    })
  } catch (error) {
    if (error instanceof ConfigError) {
      proc.printError(`userdir: ${error.message}`)
    } else if (logger !== undefined) {
      logger.fatal({ err: error }, 'could not start')
    } else {
      proc.printError(`userdir: could not start: ${error instanceof Error ? error.message : String(error)}`)
    }
    proc.exit(1)
  }
}
