import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { DirectoryService } from './directory-service.js'
import type { TokenLookup } from './token-resolver.js'

/** The service's Prometheus metrics, in a registry of their own. */
export interface ServiceMetrics {
  registry: Registry
  searchSeconds: Histogram<never>
  requests: Counter<'route' | 'status'>
  deltasIngested: Counter<never>
  tokenLookups: Counter<'result'>
}

/** Creates the metrics; the directory gauges read `dir.stats()` when scraped. */
export function createMetrics(dir: DirectoryService, options: { processMetrics: boolean }): ServiceMetrics {
  const registry = new Registry()
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'userdir_' })
  const searchSeconds = new Histogram({
    name: 'userdir_search_duration_seconds',
    help: 'Time to answer a user directory search, from token check to response.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })
  const requests = new Counter({
    name: 'userdir_http_requests_total',
    help: 'HTTP requests answered, by route and status.',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  })
  const deltasIngested = new Counter({
    name: 'userdir_deltas_ingested_total',
    help: 'State deltas applied to the directory (appservice transactions and the admin API).',
    registers: [registry],
  })
  const tokenLookups = new Counter({
    name: 'userdir_token_lookups_total',
    help: 'Access-token lookups by result: static (configured map), hit (cache), miss (asked the homeserver).',
    labelNames: ['result'] as const,
    registers: [registry],
  })
  for (const result of ['static', 'hit', 'miss'] satisfies TokenLookup[]) tokenLookups.inc({ result }, 0)
  new Gauge({
    name: 'userdir_directory_entries',
    help: 'Users in the directory.',
    registers: [registry],
    collect() {
      this.set(dir.stats().entries)
    },
  })
  new Gauge({
    name: 'userdir_directory_rooms',
    help: 'Rooms whose state the directory follows.',
    registers: [registry],
    collect() {
      this.set(dir.stats().rooms)
    },
  })
  return { registry, searchSeconds, requests, deltasIngested, tokenLookups }
}
