/**
 * @module HTTP: the node:http server in front of a `UserDirectory`: the
 * Matrix search endpoint, appservice transactions, the admin API, health and
 * metrics. The only folder that imports node:http; imports `directory`,
 * `import` (the background import and its live-change log) and `rooms` (types).
 */
export { createServer, stopServer } from './create-server.js'
export type { ServerOptions } from './create-server.js'
export type { DirectoryService } from './directory-service.js'
export { defaultRateLimit } from './rate-limiter.js'
export type { RateLimit } from './rate-limiter.js'
export type { HttpErrcode } from './http-error.js'
export { createProfileFetcher } from './profile-fetcher.js'
export { listenWhileStarting } from './starting-server.js'
export type { StartingServer } from './starting-server.js'
