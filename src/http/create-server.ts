import { createServer as createNodeServer } from 'node:http'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import { pino } from 'pino'
import type { Logger } from 'pino'
import { systemClock } from '../clock.js'
import type { Clock } from '../clock.js'
import { Follower } from '../follow/index.js'
import type { FollowOptions } from '../follow/index.js'
import { BackgroundImport, LiveChanges } from '../import/index.js'
import type { ImportOptions } from '../import/index.js'
import type { Route, ServerContext } from './context.js'
import type { DirectoryService } from './directory-service.js'
import { HttpError, toHttpError } from './http-error.js'
import { WriteQueue } from './write-queue.js'
import { createMetrics } from './metrics.js'
import { RateLimiter, defaultRateLimit } from './rate-limiter.js'
import type { RateLimit } from './rate-limiter.js'
import { sendError, setCorsHeaders } from './respond.js'
import { matchRoute } from './router.js'
import { adminRoutes } from './routes/admin.js'
import { pingRoute, transactionRoutes } from './routes/appservice.js'
import { healthRoute, metricsRoute } from './routes/ops.js'
import { searchRoute } from './routes/search.js'
import { TokenResolver } from './token-resolver.js'

/** Options of {@link createServer}. Every field is optional. */
export interface ServerOptions {
  /** Static access tokens: token → user id, checked before the homeserver. Default none. */
  accessTokens?: Record<string, string>
  /** Homeserver base URL; tokens not in `accessTokens` are checked with its `GET /_matrix/client/v3/account/whoami`. Default none (only static tokens work). */
  homeserverUrl?: string
  /** The appservice `hs_token` the homeserver pushes transactions with. Default none (transactions answer 403). */
  hsToken?: string
  /** Bearer token of the admin API. Default none (the admin API answers 403). */
  adminToken?: string
  /** Per-user search rate limit, or `false` for none. Default Synapse's `{ perSecond: 0.016, burst: 200 }`. */
  rateLimit?: RateLimit | false
  /** pino logger. Default silent. */
  logger?: Logger
  /** Time source for the token cache and the rate limit, ms. Default the system clock. */
  clock?: Pick<Clock, 'now'>
  /** Largest body of a search or admin user request, bytes; more is 413 `M_TOO_LARGE`. Default 65,536. */
  maxBodyBytes?: number
  /** Largest body of an appservice transaction or admin delta batch, bytes. Default 33,554,432 (32 MiB). */
  maxTransactionBytes?: number
  /** How long a valid token is trusted without asking again, ms. Default 120,000. */
  tokenCacheValidMs?: number
  /** How long an invalid token is remembered as invalid, ms. Default 10,000. */
  tokenCacheInvalidMs?: number
  /** Most tokens cached in each pool (valid, invalid: a flood of invalid tokens cannot evict valid ones); the least recently used go first. Default 10,000. */
  tokenCacheSize?: number
  /** Give up on a whoami request after this long, ms (then 502). Default 10,000. */
  whoamiTimeoutMs?: number
  /**
   * Most whoami requests in flight at once (one per token: concurrent checks
   * of one token share a request). Default 32.
   */
  whoamiConcurrency?: number
  /**
   * Most token checks waiting for a whoami slot; more are answered 429
   * `M_LIMIT_EXCEEDED` with `retry_after_ms` at once. Default 1,024.
   */
  whoamiQueueSize?: number
  /**
   * Most bytes each token-cache pool (valid tokens, invalid tokens) keeps,
   * tokens and user ids included; the least recently used go first.
   * Default 4 MiB.
   */
  tokenCacheBytes?: number
  /** Also export Node process metrics (memory, event-loop lag) under `userdir_`. Default false. */
  processMetrics?: boolean
  /**
   * Most connections open at once; a connection over it is closed as soon as
   * it is accepted (Node's `maxConnections`). Keep it under the process's
   * open-file limit (`ulimit -n`) less what LMDB and outgoing requests need.
   * Default 10,000 (Node: unlimited).
   */
  maxConnections?: number
  /**
   * Time a client has to send a request's headers, ms; then 408 and the
   * connection closes (slow-header clients). Default 10,000 (Node: 60,000,
   * checked every 30 s).
   */
  headersTimeoutMs?: number
  /**
   * Time a client has to send a whole request, body included, ms; then 408
   * and the connection closes. Bounds a body sent slowly (a 32 MiB
   * transaction needs 0.5 MB/s). Default 60,000 (Node: 300,000).
   */
  requestTimeoutMs?: number
  /**
   * How long an idle keep-alive connection stays open, ms. A reverse proxy
   * that reuses upstream connections should close them sooner than this.
   * Default 5,000 (Node's).
   */
  keepAliveTimeoutMs?: number
  /**
   * `stopServer` waits this long, ms, for requests in flight to be answered
   * and connections to close; then it closes every connection left, whatever
   * its clients do. Default 10,000.
   */
  shutdownTimeoutMs?: number
  /**
   * Where `POST /_userdir/admin/v1/import` imports from: the homeserver's
   * base URL and a server admin's access token for its Admin API, plus any
   * `ImportOptions` (page size, retries). Default none: the route answers
   * 400 and says what to configure.
   */
  synapseImport?: { homeserverUrl: string; accessToken: string; options?: Partial<ImportOptions> }
  /**
   * Following the homeserver (issue 20): with `synapseImport` configured,
   * the server follows the homeserver once it listens (user lookups on local
   * member events, room-state reads on first local joins, polls for new
   * accounts and locks, a paced daily reconcile, the appservice ping), unless
   * this is `false` or `{ enabled: false }`. See `FollowOptions`. Default on.
   */
  follow?: FollowOptions | false
}

/** The defaults of the connection options of {@link ServerOptions}. */
const connectionDefaults = Object.freeze({
  maxConnections: 10_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  shutdownTimeoutMs: 10_000,
})

const ROUTES: readonly Route[] = [searchRoute, ...transactionRoutes, pingRoute, ...adminRoutes, healthRoute, metricsRoute]

// Lets stopServer wait for a rebuild, and stop an import, still running in
// the background, and know its deadline. Module-level because stopServer
// takes the node:http Server that createServer returns (API.md), to which
// this attaches each server's parts; an entry lives as long as its server.
const backgroundByServer = new WeakMap<Server, { queue: WriteQueue; imports: BackgroundImport | null; follower: Follower | null; shutdownTimeoutMs: number }>()

/**
 * Creates the HTTP server (not yet listening): the Matrix user directory
 * search of SPEC §6, appservice transactions, the admin API, `/health` and
 * `/metrics`. Call `listen` on it; stop it with {@link stopServer}.
 *
 * @example
 * const server = createServer(dir, { homeserverUrl: 'http://localhost:8008', hsToken: 'secret' })
 * server.listen(8090, '127.0.0.1')
 */
export function createServer(dir: DirectoryService, options: ServerOptions = {}): Server {
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ module: 'http' })
  const clock = options.clock ?? systemClock
  const metrics = createMetrics(dir, { processMetrics: options.processMetrics ?? false })
  // The import writes through the write queue, and the queue records in `live` what it applied live.
  const live = options.synapseImport === undefined ? null : new LiveChanges()
  const writeQueue = new WriteQueue(dir, clock, logger, (count) => metrics.deltasIngested.inc(count), live)
  const imports = options.synapseImport === undefined || live === null ? null : new BackgroundImport({
    directory: dir,
    exclusive: (task) => writeQueue.exclusive(task),
    live,
    homeserverUrl: options.synapseImport.homeserverUrl,
    accessToken: options.synapseImport.accessToken,
    importOptions: options.synapseImport.options,
    logger,
    clock,
  })
  const followOptions = options.follow === false ? { enabled: false } : (options.follow ?? {})
  const follower = imports === null || live === null || options.synapseImport === undefined || followOptions.enabled === false ? null : new Follower({
    directory: dir,
    exclusive: (task) => writeQueue.exclusive(task),
    live,
    imports,
    homeserverUrl: options.synapseImport.homeserverUrl,
    accessToken: options.synapseImport.accessToken,
    logger,
  }, followOptions)
  if (follower !== null) {
    writeQueue.observe((deltas) => follower.observe(deltas))
    metrics.follow(() => follower.status())
  }
  const ctx: ServerContext = {
    dir,
    logger,
    clock,
    metrics,
    tokens: new TokenResolver({
      accessTokens: options.accessTokens ?? {},
      homeserverUrl: options.homeserverUrl,
      clock,
      logger,
      validTtlMs: options.tokenCacheValidMs ?? 120_000,
      invalidTtlMs: options.tokenCacheInvalidMs ?? 10_000,
      maxEntries: options.tokenCacheSize ?? 10_000,
      timeoutMs: options.whoamiTimeoutMs ?? 10_000,
      maxConcurrentWhoami: options.whoamiConcurrency ?? 32,
      maxQueuedWhoami: options.whoamiQueueSize ?? 1_024,
      cacheBytes: options.tokenCacheBytes,
      onLookup: (result) => metrics.tokenLookups.inc({ result }),
    }),
    rateLimiter: options.rateLimit === false ? null : new RateLimiter(options.rateLimit ?? defaultRateLimit, clock),
    writeQueue,
    imports,
    follower,
    hsToken: options.hsToken,
    adminToken: options.adminToken,
    maxBodyBytes: options.maxBodyBytes ?? 65_536,
    maxTransactionBytes: options.maxTransactionBytes ?? 33_554_432,
  }
  // While stopping, close each keep-alive connection as soon as its request is answered.
  const closeIdle = (): void => void server.closeIdleConnections()
  const onFinish = (): void => {
    if (!server.listening) setImmediate(closeIdle)
  }
  const headersTimeout = options.headersTimeoutMs ?? connectionDefaults.headersTimeoutMs
  const requestTimeout = Math.max(options.requestTimeoutMs ?? connectionDefaults.requestTimeoutMs, headersTimeout)
  const server = createNodeServer(
    {
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? connectionDefaults.keepAliveTimeoutMs,
      // Node checks both timeouts only this often (default every 30 s,
      // which made a 60 s headers timeout act at up to 90 s).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, headersTimeout / 4)),
    },
    (req, res) => {
      res.on('finish', onFinish)
      void handleRequest(ctx, req, res)
    },
  )
  server.maxConnections = options.maxConnections ?? connectionDefaults.maxConnections
  // Following starts once the server listens: the appservice ping needs us reachable.
  if (follower !== null) server.once('listening', () => follower.start())
  backgroundByServer.set(server, { queue: writeQueue, imports, follower, shutdownTimeoutMs: options.shutdownTimeoutMs ?? connectionDefaults.shutdownTimeoutMs })
  return server
}

/**
 * Stops a server from {@link createServer} gracefully: no new connections,
 * requests in flight are answered, then idle connections close, a running
 * import stops after its current page (it resumes on the next import), and
 * any queued ingest or rebuild finishes; following stops. Connections still open after the
 * server's `shutdownTimeoutMs` (default 10 s) are destroyed, whatever their
 * clients do (a slow upload, headers never finished). Resolves when all of
 * that is done.
 */
export async function stopServer(server: Server): Promise<void> {
  const background = backgroundByServer.get(server)
  const deadlineMs = background?.shutdownTimeoutMs ?? connectionDefaults.shutdownTimeoutMs
  // A connection turns idle without a response finishing too (the rest of a
  // refused body read), so look for idle ones until the server has closed.
  const sweep = setInterval(() => server.closeIdleConnections(), 100)
  const deadline = setTimeout(() => server.closeAllConnections(), deadlineMs)
  try {
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error === undefined || (error as NodeJS.ErrnoException).code === 'ERR_SERVER_NOT_RUNNING' ? resolve() : reject(error)))
      server.closeIdleConnections()
    })
  } finally {
    clearInterval(sweep)
    clearTimeout(deadline)
  }
  await background?.follower?.stop()
  await background?.imports?.stop()
  await background?.queue.idle()
}

async function handleRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET'
  let routeName = 'unmatched'
  let url: URL
  try {
    url = new URL(req.url ?? '/', 'http://localhost')
  } catch {
    url = new URL('http://localhost/')
  }
  try {
    if (method === 'OPTIONS') {
      routeName = 'options'
      setCorsHeaders(res)
      res.statusCode = 204
      res.end()
      return
    }
    const { route, params } = matchRoute(ROUTES, method, url.pathname)
    routeName = route.name
    await route.handle({ req, res, url, params, ctx })
  } catch (error) {
    answerError(ctx, req, res, error, url.pathname)
  } finally {
    ctx.metrics.requests.inc({ route: routeName, status: String(res.statusCode) })
    if (ctx.logger.isLevelEnabled('debug')) ctx.logger.debug({ method, path: url.pathname, status: res.statusCode }, 'request')
  }
}

function answerError(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, error: unknown, path: string): void {
  let httpError = toHttpError(error)
  if (httpError === null) {
    ctx.logger.error({ err: error, method: req.method, path }, 'request failed')
    httpError = new HttpError(500, 'M_UNKNOWN', 'Internal server error')
  } else if (httpError.status >= 500) {
    ctx.logger.warn({ errcode: httpError.errcode, method: req.method, path }, httpError.message)
  }
  if (res.headersSent) {
    res.destroy()
    return
  }
  sendError(res, httpError)
}
