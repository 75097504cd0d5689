import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { UserDirectory } from '../directory/index.js'
import type { UserDirectoryOptions } from '../directory/index.js'
import { createProfileFetcher, createServer, listenWhileStarting, stopServer } from '../http/index.js'
import type { StartingServer } from '../http/index.js'
import type { ServiceConfig } from './config.js'
import { ConfigError } from './config-error.js'
import { DEMO_MARKER, DEMO_TOKEN, seedDemo } from './demo.js'
import { loadRegistrations } from './registrations.js'

/** A running service: its address, and how to stop it. */
export interface RunningService {
  server: Server
  directory: UserDirectory
  /** e.g. "http://127.0.0.1:8090" */
  url: string
  port: number
  /** Stops accepting, answers the requests in flight, then closes the directory. */
  stop(): Promise<void>
}

/** What {@link startService} is built from; tests replace parts. */
export interface ServiceParts {
  /** Opens the directory (default {@link openDirectory}). */
  openDirectory(config: ServiceConfig, logger: Logger): Promise<UserDirectory>
}

/**
 * Listens at once (answering 503 with `Retry-After` while the store opens:
 * `listenWhileStarting`), opens the directory, seeds the demo if configured
 * and the directory is empty, then serves. Logs one `listening` line with the
 * URL and port when the directory answers.
 * The demo is only ever seeded into an empty store, which is then marked
 * (`DEMO_MARKER`): demo mode refuses a store that holds anything else, and a
 * configured (non-demo) service refuses a marked one.
 */
export async function startService(config: ServiceConfig, logger: Logger, parts: ServiceParts = { openDirectory }): Promise<RunningService> {
  const synapseAdminToken = config.synapseAdminTokenFile === null ? null : readTokenFile(config.synapseAdminTokenFile, 'synapse_admin_token_file')
  // Hold the port from the first moment: a port in use fails before the store
  // opens, and a restart is fast 503s (a proxy falls back to Synapse), not refusals.
  const starting = await listenWhileStarting(config.listen.port, config.listen.address)
  logger.info({ startingPort: starting.port }, 'opening the directory; answering 503 until it is open')
  try {
    const directory = await parts.openDirectory(config, logger)
    return await serve(config, logger, directory, starting, synapseAdminToken)
  } catch (error) {
    starting.close()
    throw error
  }
}

async function serve(config: ServiceConfig, logger: Logger, directory: UserDirectory, starting: StartingServer, synapseAdminToken: string | null): Promise<RunningService> {
  const accessTokens = { ...config.accessTokens }
  if (config.demo) {
    const marker = config.dataPath === null ? null : join(config.dataPath, DEMO_MARKER)
    if (isEmpty(directory)) {
      const demo = await seedDemo(directory)
      if (marker !== null) writeFileSync(marker, `${config.dataPath} holds the generated demo directory of \`userdir serve\` (demo mode).\nA configured service refuses it: delete this directory, or give the service another data_path.\n`)
      logger.info({ ...demo }, `demo directory seeded: ${demo.localUsers} local users, ${demo.remoteUsers} remote users, ${demo.rooms} rooms`)
    } else if (marker === null || !existsSync(marker)) {
      await directory.close()
      throw new ConfigError(`demo mode: ${config.dataPath} already holds a directory that is not the demo; the demo only runs in an empty data_path (or data_path: null)`)
    }
    accessTokens[DEMO_TOKEN] = `@demo:${config.serverName}`
  }
  const server = createServer(directory, {
    accessTokens,
    homeserverUrl: config.homeserverUrl ?? undefined,
    hsToken: config.hsToken ?? undefined,
    adminToken: config.adminToken ?? undefined,
    rateLimit: config.rateLimit,
    synapseImport: config.homeserverUrl !== null && synapseAdminToken !== null ? { homeserverUrl: config.homeserverUrl, accessToken: synapseAdminToken } : undefined,
    follow: { ...config.follow, appserviceId: config.appserviceId ?? undefined, asToken: config.asToken ?? undefined },
    logger,
    processMetrics: true,
    ...config.http,
  })
  try {
    // The placeholder hands its port over: closed and rebound in one turn, so
    // a client sees at most a refused connection in between.
    starting.close()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(starting.port, config.listen.address, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (error) {
    await directory.close()
    throw error
  }
  const { port } = server.address() as AddressInfo
  const host = config.listen.address.includes(':') ? `[${config.listen.address}]` : config.listen.address
  const url = `http://${host}:${port}`
  logger.info({ url, port, serverName: config.serverName }, `listening on ${url}`)
  if (config.demo) {
    logger.info(
      { demoToken: DEMO_TOKEN },
      `try: curl -H 'Authorization: Bearer ${DEMO_TOKEN}' -d '{"search_term":"ali"}' ${url}/_matrix/client/v3/user_directory/search`,
    )
  }
  if (config.hsToken === null) logger.warn('no hs_token configured: appservice transactions are refused')
  if (config.homeserverUrl === null) logger.warn('no homeserver_url configured: only access_tokens (and the demo token) can search')
  else if (synapseAdminToken === null) logger.warn('no synapse_admin_token_file configured: the service does not follow the homeserver (registrations, profile changes of users in no room, locks and federated rooms\' earlier members are missed until an import)')
  return {
    server,
    directory,
    url,
    port,
    async stop() {
      logger.info('stopping: answering requests in flight')
      await stopServer(server)
      await directory.close()
      logger.info('stopped')
    },
  }
}

/**
 * Reads a token file (trimmed); an unreadable or empty one is a one-line
 * `ConfigError` naming `what`.
 */
export function readTokenFile(path: string, what: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  const token = text.trim()
  if (token === '' || /\s/.test(token)) throw new ConfigError(`${what}: ${path} must hold one access token on one line`)
  return token
}

/** Opens the configured directory (LMDB at data_path, or memory only), with the profile fetcher when configured. */
export async function openDirectory(config: ServiceConfig, logger: Logger, withProfileFetcher = true): Promise<UserDirectory> {
  const options: UserDirectoryOptions = {
    serverName: config.serverName,
    ...config.userDirectory,
    appservices: loadRegistrations(config.appServiceConfigFiles, config.serverName),
    logger,
  }
  if (withProfileFetcher && config.homeserverUrl !== null && config.asToken !== null) {
    options.profileFetcher = createProfileFetcher({ homeserverUrl: config.homeserverUrl, accessToken: config.asToken })
  }
  if (config.dataPath === null) {
    logger.info('data_path is null: keeping the directory in memory only')
    return UserDirectory.open(options)
  }
  if (!config.demo && existsSync(join(config.dataPath, DEMO_MARKER))) {
    throw new ConfigError(`${config.dataPath} holds the generated demo directory (${DEMO_MARKER}), not real data: delete it or set another data_path`)
  }
  mkdirSync(config.dataPath, { recursive: true })
  const directory = await UserDirectory.open({ ...options, path: config.dataPath })
  logger.info({ path: config.dataPath }, 'directory opened')
  return directory
}

// Nothing ingested or registered yet: the only store the demo may be seeded into.
function isEmpty(directory: UserDirectory): boolean {
  const stats = directory.stats()
  return stats.entries === 0 && stats.localUsers === 0 && stats.rooms === 0 && stats.streamPosition === null
}
