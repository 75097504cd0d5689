/**
 * @module Import: the first load and the reconcile of the directory from a
 * Synapse homeserver's Admin API (users, rooms, room state), resumable from
 * a checkpoint in the directory's store, ordered against live updates by
 * `LiveChanges`, with progress figures. Imports `directory` (types), `rooms`
 * and `errors`; never `http` or `cli`.
 */
export { runImport } from './importer.js'
export type { ImportTarget, ImportDirectory } from './importer.js'
export type { ImportOptions, ImportStatus } from './options.js'
export { defaultImportOptions } from './options.js'
export { ImportError } from './import-error.js'
export type { ImportFailure } from './import-error.js'
export { LiveChanges } from './live-changes.js'
export { BackgroundImport } from './background-import.js'
export type { BackgroundImportOptions } from './background-import.js'
export { ImportProgress, formatSummary, formatDuration } from './progress.js'
export type { ProgressFigures } from './progress.js'
export { CHECKPOINT_KEY } from './checkpoint.js'
export type { ImportCheckpoint } from './checkpoint.js'
export { applyAdminUser } from './apply-user.js'
export type { AppliedUser, ApplyUserDirectory } from './apply-user.js'
export { SynapseAdminClient } from './admin-api.js'
export type { AdminApiOptions } from './admin-api.js'
export type { AdminUser, StateEvent, UsersPage } from './admin-api-wire.js'
export { roomDiff } from './room-diff.js'
