// The public types use node:http (createServer's Server) and pino's Logger, whose
// own types need node's: the package depends on @types/node so that a consumer
// without it still type-checks (skipLibCheck off).
/// <reference types="node" preserve="true" />
/**
 * @module The package's public contract (API.md): the directory, its errors,
 * the test homeserver and the HTTP server.
 */
export { UserDirectory } from './directory/index.js'
export type {
  UserDirectoryOptions, Clock, SpamChecker, ProfileFetcher, FetchedProfile, DirectoryProfile,
  SearchResults, SearchResultItem, IngestReport, IngestOptions, DirectoryStats, DirectoryTables, LocalUserInfo, SearchWarmReport,
} from './directory/index.js'
export type { StateDelta } from './rooms/index.js'
export type { AppserviceRegistration } from './visibility/index.js'
export { UserDirectoryError, ProfileFetchError } from './errors.js'
export type { Errcode, ProfileFetchErrorDetails } from './errors.js'
export { TestHomeserver, FakeClock } from './testing/index.js'
export type { TestHomeserverOptions } from './testing/index.js'
export { createServer, listenWhileStarting, stopServer } from './http/index.js'
export type { ServerOptions, StartingServer } from './http/index.js'
