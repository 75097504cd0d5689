import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { FollowStatus } from '../follow/index.js'
import type { DirectoryService } from './directory-service.js'
import type { TokenLookup } from './token-resolver.js'

/** The service's Prometheus metrics, in a registry of their own. */
export interface ServiceMetrics {
  registry: Registry
  searchSeconds: Histogram<never>
  requests: Counter<'route' | 'status'>
  deltasIngested: Counter<never>
  tokenLookups: Counter<'result'>
  /** Exports the follower's figures (called once, when following is on). */
  follow(status: () => FollowStatus): void
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
  const follow = (status: () => FollowStatus): void => {
    const counter = (name: string, help: string, read: (s: FollowStatus) => number): void => {
      new Counter({ name, help, registers: [registry], collect() {
        this.reset()
        this.inc(read(status()))
      } })
    }
    const gauge = (name: string, help: string, read: (s: FollowStatus) => number): void => {
      new Gauge({ name, help, registers: [registry], collect() {
        this.set(read(status()))
      } })
    }
    counter('userdir_follow_lookups_total', 'User lookups answered by the homeserver (GET /_synapse/admin/v2/users/{userId}).', (s) => s.lookups_made)
    counter('userdir_follow_lookups_failed_total', 'User lookup attempts that failed (each retried).', (s) => s.lookups_failed)
    gauge('userdir_follow_lookups_queued', 'Users waiting for a lookup.', (s) => s.lookups_queued)
    counter('userdir_follow_room_state_reads_total', 'Room-state reads answered (GET /_synapse/admin/v1/rooms/{roomId}/state).', (s) => s.room_state_reads)
    counter('userdir_follow_room_state_failed_total', 'Room-state read attempts that failed (each retried).', (s) => s.room_state_failed)
    gauge('userdir_follow_room_state_queued', 'Rooms waiting for a state read.', (s) => s.room_state_queued)
    counter('userdir_follow_new_user_polls_total', 'New-accounts polls done.', (s) => s.polls.new_users)
    counter('userdir_follow_lock_polls_total', 'Locked-accounts polls done.', (s) => s.polls.locks)
    counter('userdir_follow_polls_failed_total', 'Poll attempts that failed (retried at the next interval).', (s) => s.polls_failed)
    counter('userdir_follow_requests_total', 'Admin API requests the follower sent (the periodic reconcile\'s not included).', (s) => s.requests)
    counter('userdir_follow_reconcile_corrections_total', 'Differences the periodic reconciles found and fixed (0 when following works).', (s) => s.reconcile_corrections)
    gauge('userdir_follow_last_reconcile_corrections', 'Corrections of the last periodic reconcile (-1 before the first).', (s) => s.last_reconcile?.corrections ?? -1)
    gauge('userdir_follow_last_reconcile_timestamp_seconds', 'When the last periodic reconcile finished (0 before the first).', (s) => (s.last_reconcile?.finished_at_ms ?? 0) / 1000)
  }
  return { registry, searchSeconds, requests, deltasIngested, tokenLookups, follow }
}
