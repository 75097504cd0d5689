import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ConfigError, resolveConfig } from '../../src/cli/index.js'
import type { ServiceConfig } from '../../src/cli/index.js'

const test = suite('src/cli/config.ts')

function rejects(file: unknown, env: Record<string, string>, pattern: RegExp): void {
  try {
    resolveConfig(file, env, 'userdir.yaml')
  } catch (error) {
    assert.instance(error, ConfigError)
    assert.not.match((error as Error).message, /\n/)
    assert.match((error as Error).message, pattern)
    return
  }
  assert.unreachable(`expected a ConfigError matching ${pattern}`)
}

test('no file and no environment gives the npm start defaults, with the demo on', () => {
  const config = resolveConfig(null, {})
  assert.equal(config, {
    serverName: 'localhost',
    listen: { address: '127.0.0.1', port: 8090 },
    dataPath: './data',
    homeserverUrl: null,
    hsToken: null,
    asToken: null,
    adminToken: null,
    synapseAdminTokenFile: null,
    accessTokens: {},
    logLevel: 'info',
    userDirectory: { enabled: true, searchAllUsers: false, preferLocalUsers: false, excludeRemoteUsers: false, showLockedUsers: false, accentInsensitive: false, infixMatch: false },
    rateLimit: { perSecond: 0.016, burst: 200 },
    appServiceConfigFiles: [],
    demo: true,
    http: { maxConnections: 10_000, headersTimeoutMs: 10_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000, shutdownTimeoutMs: 10_000 },
    appserviceId: null,
    follow: { enabled: true, debounceMs: 250, concurrency: 4, roomRecheckMs: 5_000, newUsersPollMs: 60_000, locksPollMs: 60_000, reconcileIntervalMs: 86_400_000, reconcileRequestsPerSecond: 20 },
  } satisfies ServiceConfig)
})

test('follow.* come from the file or USERDIR_FOLLOW_*; follow.reconcile: false turns the periodic reconcile off', () => {
  const base = { server_name: 'example.org', homeserver_url: 'http://127.0.0.1:8008' }
  const config = resolveConfig({ ...base, appservice_id: 'userdir', follow: { debounce_ms: 100, new_users_poll_ms: 30_000, reconcile: false } }, { USERDIR_FOLLOW_LOCKS_POLL_MS: '15000', USERDIR_FOLLOW_CONCURRENCY: '2' })
  assert.equal(config.follow, { enabled: true, debounceMs: 100, concurrency: 2, roomRecheckMs: 5_000, newUsersPollMs: 30_000, locksPollMs: 15_000, reconcileIntervalMs: false, reconcileRequestsPerSecond: 20 })
  assert.is(config.appserviceId, 'userdir')
  assert.is(resolveConfig(base, { USERDIR_FOLLOW_ENABLED: 'false' }).follow.enabled, false)
  assert.is(resolveConfig({ ...base, follow: { reconcile_interval_ms: 3_600_000 } }, {}).follow.reconcileIntervalMs, 3_600_000)
  rejects({ ...base, follow: { locks_poll_ms: 0 } }, {}, /follow\.locks_poll_ms must be a number above 0/)
  rejects({ ...base, follow: { poll_ms: 5 } }, {}, /unknown option follow\.poll_ms/)
})

test('http.* connection limits come from the file or USERDIR_*, with the ServerOptions defaults', () => {
  const config = resolveConfig({ server_name: 'example.org', homeserver_url: 'http://127.0.0.1:8008', http: { max_connections: 500, shutdown_timeout_ms: 2_000 } }, { USERDIR_HEADERS_TIMEOUT_MS: '5000' })
  assert.equal(config.http, { maxConnections: 500, headersTimeoutMs: 5_000, requestTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000, shutdownTimeoutMs: 2_000 })
  rejects({ http: { max_connections: 0 } }, {}, /http\.max_connections must be a number above 0/)
  rejects({ http: { connections: 5 } }, {}, /unknown option http\.connections/)
})

test("user_directory options keep Synapse's names", () => {
  const config = resolveConfig({
    server_name: 'example.org',
    homeserver_url: 'http://localhost:8008/',
    user_directory: { enabled: false, search_all_users: true, prefer_local_users: true, exclude_remote_users: true, show_locked_users: true },
  }, {})
  assert.equal(config.userDirectory, { enabled: false, searchAllUsers: true, preferLocalUsers: true, excludeRemoteUsers: true, showLockedUsers: true, accentInsensitive: false, infixMatch: false })
  assert.is(config.homeserverUrl, 'http://localhost:8008')
  assert.is(config.demo, false)
})

test('user_directory.accent_insensitive and infix_match turn on the opt-in matching, from the file or USERDIR_*', () => {
  const fromFile = resolveConfig({ server_name: 'example.org', homeserver_url: 'http://hs', user_directory: { accent_insensitive: true, infix_match: true } }, {})
  assert.is(fromFile.userDirectory.accentInsensitive, true)
  assert.is(fromFile.userDirectory.infixMatch, true)
  const fromEnv = resolveConfig({ server_name: 'example.org', homeserver_url: 'http://hs', user_directory: { infix_match: true } }, { USERDIR_ACCENT_INSENSITIVE: 'yes', USERDIR_INFIX_MATCH: 'off' })
  assert.is(fromEnv.userDirectory.accentInsensitive, true)
  assert.is(fromEnv.userDirectory.infixMatch, false)
  rejects({ user_directory: { infix_match: 'sometimes' } }, {}, /user_directory\.infix_match must be true or false/)
})

test('USERDIR_* variables override the file', () => {
  const config = resolveConfig(
    { server_name: 'example.org', homeserver_url: 'http://hs:8008', listen: { port: 8090 }, user_directory: { search_all_users: false }, log_level: 'info' },
    {
      USERDIR_SERVER_NAME: 'other.org',
      USERDIR_LISTEN_PORT: '0',
      USERDIR_LISTEN_ADDRESS: '0.0.0.0',
      USERDIR_SEARCH_ALL_USERS: 'true',
      USERDIR_LOG_LEVEL: 'warn',
      USERDIR_HS_TOKEN: 'hs',
      USERDIR_ADMIN_TOKEN: 'adm',
      USERDIR_ACCESS_TOKENS: '{"t1":"@a:other.org"}',
      USERDIR_DATA_PATH: '',
      USERDIR_APP_SERVICE_CONFIG_FILES: 'a.yaml, b.yaml',
      USERDIR_RATE_LIMIT_BURST: '5',
    },
  )
  assert.is(config.serverName, 'other.org')
  assert.equal(config.listen, { address: '0.0.0.0', port: 0 })
  assert.is(config.userDirectory.searchAllUsers, true)
  assert.is(config.logLevel, 'warn')
  assert.is(config.hsToken, 'hs')
  assert.is(config.adminToken, 'adm')
  assert.equal(config.accessTokens, { t1: '@a:other.org' })
  assert.is(config.dataPath, null)
  assert.equal(config.appServiceConfigFiles, ['a.yaml', 'b.yaml'])
  assert.equal(config.rateLimit, { perSecond: 0.016, burst: 5 })
})

test('data_path: null keeps the directory in memory; rate_limit: false turns the limit off', () => {
  const config = resolveConfig({ data_path: null, rate_limit: false, demo: true }, {})
  assert.is(config.dataPath, null)
  assert.is(config.rateLimit, false)
})

test('server_name is required once a homeserver is configured', () => {
  rejects({ homeserver_url: 'http://hs:8008' }, {}, /^userdir\.yaml: server_name is required/)
})

test('an invalid option stops start-up with one line naming it', () => {
  rejects({ listen: { port: 'eighty' } }, {}, /^userdir\.yaml: listen\.port must be a port number/)
  rejects({ user_directory: { search_all_users: 'yes please' } }, {}, /user_directory\.search_all_users must be true or false/)
  rejects({ homeserver_url: 'localhost:8008', server_name: 'x' }, {}, /homeserver_url must be an http:\/\/ or https:\/\/ URL/)
  rejects({ log_level: 'loud' }, {}, /log_level must be one of/)
  rejects({ access_tokens: { secret: 'bob' } }, {}, /access_tokens maps token "secr…" to "bob"/)
  rejects({ rate_limit: { burst: 0 } }, {}, /rate_limit\.burst must be a number above 0/)
  rejects({ server_name: 'a b' }, {}, /server_name must be a host name/)
  rejects({ hs_token: '' }, {}, /hs_token must be a non-empty string/)
})

test('the demo runs only with nothing configured, or when asked for', () => {
  assert.is(resolveConfig(null, {}).demo, true)
  assert.is(resolveConfig(null, { USERDIR_DEMO: 'false', USERDIR_SERVER_NAME: 'x', USERDIR_HOMESERVER_URL: 'http://hs' }).demo, false)
  // A config file, server_name, homeserver_url or access_tokens: a real service, never the demo.
  rejects({}, {}, /^userdir\.yaml: server_name is required/)
  rejects(null, { USERDIR_SERVER_NAME: 'example.org' }, /no way to check access tokens/)
  assert.is(resolveConfig({ server_name: 'example.org', access_tokens: { t: '@probe:example.org' } }, {}).demo, false)
  assert.is(resolveConfig(null, { USERDIR_SERVER_NAME: 'x', USERDIR_HOMESERVER_URL: 'http://hs' }).demo, false)
  rejects(null, { USERDIR_HOMESERVER_URL: 'http://hs' }, /server_name is required/)
  // Asked for explicitly: from the file or USERDIR_DEMO (what --demo sets).
  const asked = resolveConfig({ server_name: 'example.org', demo: true }, {})
  assert.is(asked.demo, true)
  assert.is(asked.serverName, 'example.org')
  assert.is(resolveConfig({}, { USERDIR_DEMO: 'true' }).serverName, 'localhost')
})

test('a configured service with no way to check access tokens is refused with one line saying what to set', () => {
  rejects({ server_name: 'example.org' }, {}, /^userdir\.yaml: no way to check access tokens: set homeserver_url \(or USERDIR_HOMESERVER_URL\), or access_tokens for a fixed set of users$/)
  rejects({ server_name: 'example.org', demo: false }, {}, /no way to check access tokens/)
})

test('an invalid environment variable is named in the error', () => {
  rejects({}, { USERDIR_LISTEN_PORT: '99999' }, /^USERDIR_LISTEN_PORT must be a port number/)
  rejects({}, { USERDIR_PREFER_LOCAL_USERS: 'maybe' }, /^USERDIR_PREFER_LOCAL_USERS must be true or false, got "maybe"/)
  rejects({}, { USERDIR_ACCESS_TOKENS: 'not json' }, /^USERDIR_ACCESS_TOKENS must be a map/)
})

test('an unknown option is an error, not silently ignored', () => {
  rejects({ server_nmae: 'example.org' }, {}, /unknown option server_nmae/)
  rejects({ user_directory: { search_all: true } }, {}, /unknown option user_directory\.search_all/)
  rejects({ listen: 8008 }, {}, /listen must be a mapping/)
  rejects(['a'], {}, /must be a YAML mapping/)
})

test.run()
