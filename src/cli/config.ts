import { isServerName } from '../ids/index.js'
import type { FollowOptions } from '../follow/index.js'
import { ConfigError } from './config-error.js'
import { checkValue, fromEnvText, optionSpecs } from './options.js'
import type { OptionSpec } from './options.js'

/** The service's configuration, validated. YAML keys and `USERDIR_*` variables are listed in docs/deployment.md. */
export interface ServiceConfig {
  /** This homeserver's name (`server_name`). Required unless the demo runs; default in demo mode "localhost". */
  serverName: string
  /** Where to listen (`listen.address`, `listen.port`). Default 127.0.0.1:8090 (8008 is Synapse's); port 0 picks a free one. */
  listen: { address: string; port: number }
  /** LMDB directory (`data_path`), or null for memory only. Default "./data". */
  dataPath: string | null
  /** Homeserver base URL (`homeserver_url`) for whoami and profiles. Default none. */
  homeserverUrl: string | null
  /** Token the homeserver pushes appservice transactions with (`hs_token`). Default none: transactions refused. */
  hsToken: string | null
  /** Token we call the homeserver with for remote profiles (`as_token`). Default none: no profile refresh. */
  asToken: string | null
  /** Bearer token of the admin API (`admin_token`). Default none: admin API refused. */
  adminToken: string | null
  /** File holding a Synapse server admin's access token (`synapse_admin_token_file`), for `userdir import` and `POST /_userdir/admin/v1/import`. Default none. */
  synapseAdminTokenFile: string | null
  /** Static access tokens, token → user id (`access_tokens`). Default none. */
  accessTokens: Record<string, string>
  /** pino level (`log_level`). Default "info". */
  logLevel: string
  /**
   * Synapse's `user_directory` options, plus the opt-in `accent_insensitive`
   * and `infix_match` (default false; see `UserDirectoryOptions`).
   */
  userDirectory: {
    enabled: boolean; searchAllUsers: boolean; preferLocalUsers: boolean; excludeRemoteUsers: boolean; showLockedUsers: boolean
    accentInsensitive: boolean; infixMatch: boolean
  }
  /** Per-user search limit (`rate_limit`), or false. Default Synapse's 0.016/s, burst 200. */
  rateLimit: { perSecond: number; burst: number } | false
  /** Appservice registration files whose senders and user namespaces are excluded (`app_service_config_files`). Default none. */
  appServiceConfigFiles: string[]
  /**
   * Run the generated demo directory and accept its token (`demo`). Default:
   * true only with nothing configured (no config file, no `server_name`,
   * `homeserver_url` or `access_tokens`), as `npm start` from a fresh checkout.
   */
  demo: boolean
  /** Connection limits and timeouts (`http.*`), as `ServerOptions` of the same names documents them. */
  http: { maxConnections: number; headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number; shutdownTimeoutMs: number }
  /** The appservice registration's `id` (`appservice_id`): with `as_token`, the homeserver is asked to ping the service at start. Default none. */
  appserviceId: string | null
  /** Following the homeserver (`follow.*`), as `FollowOptions` documents them; on whenever `homeserver_url` and `synapse_admin_token_file` are set. */
  follow: Required<Pick<FollowOptions, 'enabled' | 'debounceMs' | 'concurrency' | 'roomRecheckMs' | 'newUsersPollMs' | 'locksPollMs' | 'reconcileIntervalMs' | 'reconcileRequestsPerSecond'>>
}

/** The defaults `npm start` runs with when there is no config file. */
const defaultConfigValues: Readonly<Record<string, unknown>> = Object.freeze({
  'listen.address': '127.0.0.1',
  'listen.port': 8090,
  data_path: './data',
  log_level: 'info',
  access_tokens: {},
  'user_directory.enabled': true,
  'user_directory.search_all_users': false,
  'user_directory.prefer_local_users': false,
  'user_directory.exclude_remote_users': false,
  'user_directory.show_locked_users': false,
  'user_directory.accent_insensitive': false,
  'user_directory.infix_match': false,
  'rate_limit.per_second': 0.016,
  'rate_limit.burst': 200,
  app_service_config_files: [],
  'http.max_connections': 10_000,
  'http.headers_timeout_ms': 10_000,
  'http.request_timeout_ms': 60_000,
  'http.keep_alive_timeout_ms': 5_000,
  'http.shutdown_timeout_ms': 10_000,
  'follow.enabled': true,
  'follow.debounce_ms': 250,
  'follow.concurrency': 4,
  'follow.room_recheck_ms': 5_000,
  'follow.new_users_poll_ms': 60_000,
  'follow.locks_poll_ms': 60_000,
  'follow.reconcile': true,
  'follow.reconcile_interval_ms': 86_400_000,
  'follow.reconcile_requests_per_second': 20,
})

const SECTIONS = new Set(['listen', 'user_directory', 'rate_limit', 'http', 'follow'])

/**
 * Builds the configuration from the parsed config file (`null` when there is
 * no config file) and the environment, whose `USERDIR_*` variables win.
 * Throws a one-line `ConfigError` naming the first missing, unknown or
 * invalid option; `forServe` (default true) also requires a way to check
 * access tokens unless the demo runs.
 */
export function resolveConfig(file: unknown, env: Readonly<Record<string, string | undefined>>, fileName = 'config', forServe = true): ServiceConfig {
  const hasConfigFile = file !== null && file !== undefined
  if (file === null || file === undefined) file = {}
  if (typeof file !== 'object' || Array.isArray(file)) throw new ConfigError(`${fileName}: must be a YAML mapping of options`)
  const fromFile = flatten(file as Record<string, unknown>, fileName)
  const rateLimitOff = fromFile.get('rate_limit') === false
  fromFile.delete('rate_limit')
  const values = new Map<string, unknown>()
  for (const spec of optionSpecs) {
    const text = env[spec.env]
    if (text !== undefined) {
      values.set(spec.key, checkValue(spec, fromEnvText(spec, text), spec.env))
    } else if (fromFile.has(spec.key)) {
      values.set(spec.key, checkValue(spec, fromFile.get(spec.key), `${fileName}: ${spec.key}`))
    } else if (spec.key in defaultConfigValues) {
      values.set(spec.key, defaultConfigValues[spec.key])
    }
  }
  const get = <T>(key: string): T => values.get(key) as T
  const homeserverUrl = get<string | undefined>('homeserver_url') ?? null
  const accessTokens = get<Record<string, string>>('access_tokens')
  const configured = hasConfigFile || values.has('server_name') || homeserverUrl !== null || Object.keys(accessTokens).length > 0
  // The demo never starts by surprise: only with nothing configured, or when asked for (`demo: true`, `--demo`).
  const demo = get<boolean | undefined>('demo') ?? !configured
  const serverName = get<string | undefined>('server_name') ?? (demo ? 'localhost' : undefined)
  if (serverName === undefined) throw new ConfigError(`${fileName}: server_name is required (or set USERDIR_SERVER_NAME)`)
  if (!isServerName(serverName)) throw new ConfigError(`${fileName}: server_name must be a host name with an optional port, got ${JSON.stringify(serverName)}`)
  // `userdir import` checks no tokens; it says itself that it needs --homeserver.
  if (forServe && !demo && homeserverUrl === null && Object.keys(accessTokens).length === 0) {
    throw new ConfigError(`${fileName}: no way to check access tokens: set homeserver_url (or USERDIR_HOMESERVER_URL), or access_tokens for a fixed set of users`)
  }
  return {
    serverName,
    listen: { address: get('listen.address'), port: get('listen.port') },
    dataPath: get('data_path'),
    homeserverUrl,
    hsToken: get<string | undefined>('hs_token') ?? null,
    asToken: get<string | undefined>('as_token') ?? null,
    adminToken: get<string | undefined>('admin_token') ?? null,
    synapseAdminTokenFile: get<string | undefined>('synapse_admin_token_file') ?? null,
    accessTokens,
    logLevel: get('log_level'),
    userDirectory: {
      enabled: get('user_directory.enabled'),
      searchAllUsers: get('user_directory.search_all_users'),
      preferLocalUsers: get('user_directory.prefer_local_users'),
      excludeRemoteUsers: get('user_directory.exclude_remote_users'),
      showLockedUsers: get('user_directory.show_locked_users'),
      accentInsensitive: get('user_directory.accent_insensitive'),
      infixMatch: get('user_directory.infix_match'),
    },
    rateLimit: rateLimitOff && env.USERDIR_RATE_LIMIT_PER_SECOND === undefined && env.USERDIR_RATE_LIMIT_BURST === undefined
      ? false
      : { perSecond: get('rate_limit.per_second'), burst: get('rate_limit.burst') },
    appServiceConfigFiles: get('app_service_config_files'),
    demo,
    http: {
      maxConnections: get('http.max_connections'),
      headersTimeoutMs: get('http.headers_timeout_ms'),
      requestTimeoutMs: get('http.request_timeout_ms'),
      keepAliveTimeoutMs: get('http.keep_alive_timeout_ms'),
      shutdownTimeoutMs: get('http.shutdown_timeout_ms'),
    },
    appserviceId: get<string | undefined>('appservice_id') ?? null,
    follow: {
      enabled: get('follow.enabled'),
      debounceMs: get('follow.debounce_ms'),
      concurrency: Math.max(1, Math.floor(get<number>('follow.concurrency'))),
      roomRecheckMs: get('follow.room_recheck_ms'),
      newUsersPollMs: get('follow.new_users_poll_ms'),
      locksPollMs: get('follow.locks_poll_ms'),
      reconcileIntervalMs: get<boolean>('follow.reconcile') ? get<number>('follow.reconcile_interval_ms') : false,
      reconcileRequestsPerSecond: get('follow.reconcile_requests_per_second'),
    },
  }
}

// The file's options by dotted key; an unknown key is an error (a typo would otherwise be silently ignored).
function flatten(file: Record<string, unknown>, fileName: string): Map<string, unknown> {
  const known = new Map<string, OptionSpec>(optionSpecs.map((spec) => [spec.key, spec]))
  const out = new Map<string, unknown>()
  for (const [key, value] of Object.entries(file)) {
    if (SECTIONS.has(key) && !(key === 'rate_limit' && value === false)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${fileName}: ${key} must be a mapping${key === 'rate_limit' ? ' or false' : ''}`)
      for (const [inner, innerValue] of Object.entries(value)) {
        const dotted = `${key}.${inner}`
        if (!known.has(dotted)) throw new ConfigError(`${fileName}: unknown option ${dotted}`)
        if (innerValue !== null && innerValue !== undefined) out.set(dotted, innerValue)
      }
      continue
    }
    if (key === 'rate_limit') {
      out.set(key, false)
      continue
    }
    if (!known.has(key)) throw new ConfigError(`${fileName}: unknown option ${key}`)
    // YAML `key:` with no value means "not set", except data_path where null means memory only.
    if (value === null && key !== 'data_path') continue
    out.set(key, value)
  }
  return out
}
