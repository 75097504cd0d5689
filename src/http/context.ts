import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Logger } from 'pino'
import type { Follower } from '../follow/index.js'
import type { BackgroundImport } from '../import/index.js'
import type { DirectoryService } from './directory-service.js'
import type { WriteQueue } from './write-queue.js'
import type { ServiceMetrics } from './metrics.js'
import type { RateLimiter } from './rate-limiter.js'
import type { Clock } from '../clock.js'
import type { TokenResolver } from './token-resolver.js'

/** What every route handler gets: the directory and the server's shared parts. */
export interface ServerContext {
  dir: DirectoryService
  logger: Logger
  clock: Pick<Clock, 'now'>
  metrics: ServiceMetrics
  tokens: TokenResolver
  rateLimiter: RateLimiter | null
  writeQueue: WriteQueue
  /** The import behind `POST /_userdir/admin/v1/import`, or null when not configured. */
  imports: BackgroundImport | null
  /** Following the homeserver (issue 20), or null when off or not configured. */
  follower: Follower | null
  hsToken: string | undefined
  adminToken: string | undefined
  maxBodyBytes: number
  maxTransactionBytes: number
}

/** One request as a handler sees it: `params` are the decoded path captures. */
export interface RouteRequest {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  params: string[]
  ctx: ServerContext
}

/** A route: method, path pattern (captures become `params`), a name for metrics, and the handler. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT'
  pattern: RegExp
  name: string
  handle(request: RouteRequest): Promise<void>
}
