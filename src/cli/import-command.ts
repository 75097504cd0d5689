import { pino } from 'pino'
import { systemClock } from '../clock.js'
import { ImportError, ImportProgress, defaultImportOptions, formatSummary, runImport } from '../import/index.js'
import type { ImportOptions, ImportStatus } from '../import/index.js'
import type { Command } from './args.js'
import { ConfigError } from './config-error.js'
import { loadConfig } from './load-config.js'
import type { CliProcess } from './run-cli.js'
import { openDirectory, readTokenFile } from './service.js'

/**
 * `userdir import`: loads (or with `--reconcile` compares and fixes) the
 * directory in `data_path` from a Synapse Admin API, with a progress bar on
 * a terminal or progress lines in the log, and a summary at the end. Exit
 * 0 when done; 1 with one line on stderr otherwise (a rerun resumes).
 * `importOptions` is for tests (page size, a sleep that returns at once).
 */
export async function runImportCommand(command: Extract<Command, { name: 'import' }>, proc: CliProcess, importOptions: Partial<ImportOptions> = {}): Promise<void> {
  // --homeserver also decides that this is not the demo (which would default server_name).
  const env = command.homeserverUrl === null ? proc.env : { ...proc.env, USERDIR_HOMESERVER_URL: command.homeserverUrl }
  const config = loadConfig(command.configPath, env, false)
  const homeserverUrl = config.homeserverUrl
  if (homeserverUrl === null) throw new ConfigError('import needs --homeserver <url> (or homeserver_url in the config)')
  const tokenFile = command.adminTokenFile ?? config.synapseAdminTokenFile
  if (tokenFile === null) throw new ConfigError('import needs --admin-token-file <file> (or synapse_admin_token_file in the config)')
  const accessToken = readTokenFile(tokenFile, '--admin-token-file')
  if (config.dataPath === null) throw new ConfigError('import needs a data_path: a memory-only directory would forget the import when this command exits')
  const tty = proc.stderrIsTty === true && proc.writeError !== undefined ? { write: proc.writeError } : undefined
  // On a terminal the bar is the progress; the log keeps to warnings so it does not tear the bar.
  const logger = pino({ level: tty === undefined || config.logLevel === 'silent' ? config.logLevel : 'warn', base: { name: 'userdir' } })
  const clock = importOptions.clock ?? systemClock
  const progress = new ImportProgress({ clock, intervalMs: importOptions.progressIntervalMs ?? defaultImportOptions.progressIntervalMs, tty, logger })
  const directory = await openDirectory(config, logger, false)
  const controller = new AbortController()
  proc.onStopSignal(() => controller.abort())
  const seen: { last: ImportStatus | null } = { last: null }
  let exitCode = 0
  try {
    await runImport({ directory }, {
      ...importOptions,
      homeserverUrl,
      accessToken,
      reconcile: command.reconcile,
      signal: controller.signal,
      clock,
      logger,
      onProgress: (status) => {
        seen.last = status
        progress.update(status)
      },
    })
  } catch (error) {
    if (!(error instanceof ImportError)) throw error
    exitCode = 1
    const resumable = error.reason !== 'unauthorized' && error.reason !== 'forbidden' && error.reason !== 'not_found' && !command.reconcile
    proc.printError(`userdir: ${command.reconcile ? 'reconcile' : 'import'} ${error.reason === 'aborted' ? 'stopped' : 'failed'}: ${error.message}${resumable ? ' (run the same command again to resume)' : ''}`)
  } finally {
    await directory.close()
  }
  const final = seen.last
  // The summary follows a run that got going; a refused token is the one line above.
  if (final !== null && (exitCode === 0 || final.pages > 0)) for (const line of formatSummary(final, progress.figures(final, clock.now()))) proc.printOut(line)
  proc.exit(exitCode)
}
