/**
 * @module Follow: keeps the directory equal to a running Synapse between
 * imports (issue 20): user lookups on local member events, room-state reads
 * on first local joins, polls for new accounts and locks, a paced periodic
 * reconcile and the appservice ping. Imports `import`, `directory` (types),
 * `rooms` and `errors`; never `http` or `cli`.
 */
export { Follower } from './follower.js'
export type { FollowDirectory, FollowerParts } from './follower.js'
export { defaultFollowOptions } from './options.js'
export type { FollowOptions, FollowStatus } from './options.js'
