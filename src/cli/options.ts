import { ConfigError } from './config-error.js'

/** What an option's value must be, and how its environment variable is read. */
type OptionKind = 'string' | 'boolean' | 'port' | 'positiveNumber' | 'url' | 'logLevel' | 'tokenMap' | 'pathList' | 'nullablePath'

/** One config option: its YAML key (dotted for nested ones), its environment variable and its type. */
export interface OptionSpec {
  key: string
  env: string
  kind: OptionKind
}

/** Every option, in the order the docs list them. */
export const optionSpecs: readonly OptionSpec[] = Object.freeze([
  { key: 'server_name', env: 'USERDIR_SERVER_NAME', kind: 'string' },
  { key: 'listen.address', env: 'USERDIR_LISTEN_ADDRESS', kind: 'string' },
  { key: 'listen.port', env: 'USERDIR_LISTEN_PORT', kind: 'port' },
  { key: 'data_path', env: 'USERDIR_DATA_PATH', kind: 'nullablePath' },
  { key: 'homeserver_url', env: 'USERDIR_HOMESERVER_URL', kind: 'url' },
  { key: 'hs_token', env: 'USERDIR_HS_TOKEN', kind: 'string' },
  { key: 'as_token', env: 'USERDIR_AS_TOKEN', kind: 'string' },
  { key: 'admin_token', env: 'USERDIR_ADMIN_TOKEN', kind: 'string' },
  { key: 'synapse_admin_token_file', env: 'USERDIR_SYNAPSE_ADMIN_TOKEN_FILE', kind: 'string' },
  { key: 'access_tokens', env: 'USERDIR_ACCESS_TOKENS', kind: 'tokenMap' },
  { key: 'log_level', env: 'USERDIR_LOG_LEVEL', kind: 'logLevel' },
  { key: 'user_directory.enabled', env: 'USERDIR_ENABLED', kind: 'boolean' },
  { key: 'user_directory.search_all_users', env: 'USERDIR_SEARCH_ALL_USERS', kind: 'boolean' },
  { key: 'user_directory.prefer_local_users', env: 'USERDIR_PREFER_LOCAL_USERS', kind: 'boolean' },
  { key: 'user_directory.exclude_remote_users', env: 'USERDIR_EXCLUDE_REMOTE_USERS', kind: 'boolean' },
  { key: 'user_directory.show_locked_users', env: 'USERDIR_SHOW_LOCKED_USERS', kind: 'boolean' },
  { key: 'user_directory.accent_insensitive', env: 'USERDIR_ACCENT_INSENSITIVE', kind: 'boolean' },
  { key: 'user_directory.infix_match', env: 'USERDIR_INFIX_MATCH', kind: 'boolean' },
  { key: 'rate_limit.per_second', env: 'USERDIR_RATE_LIMIT_PER_SECOND', kind: 'positiveNumber' },
  { key: 'rate_limit.burst', env: 'USERDIR_RATE_LIMIT_BURST', kind: 'positiveNumber' },
  { key: 'app_service_config_files', env: 'USERDIR_APP_SERVICE_CONFIG_FILES', kind: 'pathList' },
  { key: 'demo', env: 'USERDIR_DEMO', kind: 'boolean' },
  { key: 'appservice_id', env: 'USERDIR_APPSERVICE_ID', kind: 'string' },
  { key: 'follow.enabled', env: 'USERDIR_FOLLOW_ENABLED', kind: 'boolean' },
  { key: 'follow.debounce_ms', env: 'USERDIR_FOLLOW_DEBOUNCE_MS', kind: 'positiveNumber' },
  { key: 'follow.concurrency', env: 'USERDIR_FOLLOW_CONCURRENCY', kind: 'positiveNumber' },
  { key: 'follow.room_recheck_ms', env: 'USERDIR_FOLLOW_ROOM_RECHECK_MS', kind: 'positiveNumber' },
  { key: 'follow.new_users_poll_ms', env: 'USERDIR_FOLLOW_NEW_USERS_POLL_MS', kind: 'positiveNumber' },
  { key: 'follow.locks_poll_ms', env: 'USERDIR_FOLLOW_LOCKS_POLL_MS', kind: 'positiveNumber' },
  { key: 'follow.reconcile', env: 'USERDIR_FOLLOW_RECONCILE', kind: 'boolean' },
  { key: 'follow.reconcile_interval_ms', env: 'USERDIR_FOLLOW_RECONCILE_INTERVAL_MS', kind: 'positiveNumber' },
  { key: 'follow.reconcile_requests_per_second', env: 'USERDIR_FOLLOW_RECONCILE_REQUESTS_PER_SECOND', kind: 'positiveNumber' },
  { key: 'http.max_connections', env: 'USERDIR_MAX_CONNECTIONS', kind: 'positiveNumber' },
  { key: 'http.headers_timeout_ms', env: 'USERDIR_HEADERS_TIMEOUT_MS', kind: 'positiveNumber' },
  { key: 'http.request_timeout_ms', env: 'USERDIR_REQUEST_TIMEOUT_MS', kind: 'positiveNumber' },
  { key: 'http.keep_alive_timeout_ms', env: 'USERDIR_KEEP_ALIVE_TIMEOUT_MS', kind: 'positiveNumber' },
  { key: 'http.shutdown_timeout_ms', env: 'USERDIR_SHUTDOWN_TIMEOUT_MS', kind: 'positiveNumber' },
] satisfies OptionSpec[])

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

/** Turns an environment variable's text into the value its YAML key would hold. */
export function fromEnvText(spec: OptionSpec, text: string): unknown {
  switch (spec.kind) {
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true
      if (/^(false|0|no|off)$/i.test(text)) return false
      return text
    case 'port':
    case 'positiveNumber':
      return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text
    case 'nullablePath':
      return text === '' ? null : text
    case 'pathList':
      return text.split(',').map((part) => part.trim()).filter((part) => part !== '')
    case 'tokenMap':
      try {
        return JSON.parse(text) as unknown
      } catch {
        return text
      }
    default:
      return text
  }
}

/** Checks a value against its option's kind; throws a one-line `ConfigError` naming `where`. */
export function checkValue(spec: OptionSpec, value: unknown, where: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(`${where} must be ${expected}, got ${JSON.stringify(value)}`)
  }
  switch (spec.kind) {
    case 'string':
      return typeof value === 'string' && value !== '' ? value : fail('a non-empty string')
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('true or false')
    case 'port':
      return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 65535 ? value : fail('a port number (0 to 65535)')
    case 'positiveNumber':
      return typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fail('a number above 0')
    case 'url':
      return typeof value === 'string' && /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value) ? value.replace(/\/+$/, '') : fail('an http:// or https:// URL')
    case 'logLevel':
      return typeof value === 'string' && LOG_LEVELS.has(value) ? value : fail(`one of ${[...LOG_LEVELS].join(', ')}`)
    case 'nullablePath':
      return value === null || (typeof value === 'string' && value !== '') ? value : fail('a directory path, or null for memory only')
    case 'pathList':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '') ? value : fail('a list of file paths')
    case 'tokenMap':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('a map of access token to user id')
      for (const [token, userId] of Object.entries(value)) {
        if (typeof userId !== 'string' || !/^@[^:]+:.+$/.test(userId)) {
          throw new ConfigError(`${where} maps token ${JSON.stringify(token.slice(0, 4) + '…')} to ${JSON.stringify(userId)}, which is not a user id (@localpart:server)`)
        }
      }
      return value
  }
}
