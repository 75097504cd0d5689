/**
 * Options of the follower (`follow.*` in the YAML config, `USERDIR_FOLLOW_*`
 * in the environment). Every field is optional; the defaults and the cost of
 * each are in docs/deployment.md ("Following the homeserver").
 */
export interface FollowOptions {
  /** Follow the homeserver when its URL and an admin token are configured. Default true. */
  enabled?: boolean
  /** A local user's member events are gathered this long before one user lookup, ms (a profile change across K rooms is one lookup). Default 250. */
  debounceMs?: number
  /** Most lookups and room-state reads in flight at once. Default 4. */
  concurrency?: number
  /** A room first read on a local member's join is read again this long after, ms (a partial-state join completes its member list without events). Default 5,000. */
  roomRecheckMs?: number
  /** How often the newest accounts are listed (new registrations make no event), ms. Default 60,000. */
  newUsersPollMs?: number
  /** How often the locked accounts are listed (locks make no event), ms. Default 60,000. */
  locksPollMs?: number
  /** How often the paced reconcile runs, ms, or false for never. Default 86,400,000 (daily). */
  reconcileIntervalMs?: number | false
  /** Most Admin API requests per second of the periodic reconcile. Default 20. */
  reconcileRequestsPerSecond?: number
  /** First wait after a failed request, ms; doubled per failure in a row. Default 500. */
  initialBackoffMs?: number
  /** Longest wait between attempts while the homeserver fails, ms. Default 60,000. */
  maxBackoffMs?: number
  /** Give up on one request after this long, ms (then retried). Default 30,000. */
  requestTimeoutMs?: number
  /** The appservice registration's `id`: with `asToken`, the service asks the homeserver to ping it at start. Default none (no ping). */
  appserviceId?: string
  /** The registration's `as_token` (the ping is authenticated with it). Default none. */
  asToken?: string
}

/** The defaults of {@link FollowOptions}. */
export const defaultFollowOptions = Object.freeze({
  enabled: true,
  debounceMs: 250,
  concurrency: 4,
  roomRecheckMs: 5_000,
  newUsersPollMs: 60_000,
  locksPollMs: 60_000,
  reconcileIntervalMs: 86_400_000 as number | false,
  reconcileRequestsPerSecond: 20,
  initialBackoffMs: 500,
  maxBackoffMs: 60_000,
  requestTimeoutMs: 30_000,
})

/** What the follower has done, for the stats route and `/metrics`. */
export interface FollowStatus {
  /** Lookups and room-state reads in flight now. */
  in_flight: number
  /** User lookups answered (`GET /_synapse/admin/v2/users/{userId}`). */
  lookups_made: number
  /** Users waiting for a lookup now. */
  lookups_queued: number
  /** Lookup attempts that failed (each is retried). */
  lookups_failed: number
  /** Room-state reads answered (`GET /_synapse/admin/v1/rooms/{roomId}/state`). */
  room_state_reads: number
  /** Rooms waiting for a state read now. */
  room_state_queued: number
  /** Room-state read attempts that failed (each is retried). */
  room_state_failed: number
  /** Polls done: new accounts, locked accounts. */
  polls: { new_users: number; locks: number }
  /** Poll attempts that failed (retried at the next interval). */
  polls_failed: number
  /** Admin API requests the follower sent (retries included; the reconcile's are not). */
  requests: number
  /** Changes applied from lookups, polls and room reads (users, profiles, rooms with differing state). */
  changes_applied: number
  /** The last periodic reconcile: when it finished (ms since epoch), and the differences it found and fixed. */
  last_reconcile: { finished_at_ms: number; corrections: number; ok: boolean } | null
  /** Corrections made by all periodic reconciles since start (0 when following works). */
  reconcile_corrections: number
  /** The start-up ping: null until done; `ok` false with the homeserver's reason. */
  ping: { ok: boolean; detail: string } | null
}
