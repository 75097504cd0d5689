import type { UserDirectory } from '../directory/index.js'

/**
 * What the HTTP server uses of a `UserDirectory`. Any object with these
 * methods will do (tests wrap a directory to hold a call open).
 */
export type DirectoryService = Pick<
  UserDirectory,
  | 'serverName'
  | 'search'
  | 'ingest'
  | 'registerLocalUser'
  | 'handleLocalProfileChange'
  | 'getProfile'
  | 'rebuild'
  | 'stats'
  // What an import through `POST /_userdir/admin/v1/import` uses (src/import).
  | 'getMeta'
  | 'setMeta'
  | 'batch'
  | 'localUser'
  | 'localUserIds'
  | 'roomState'
  | 'roomIds'
>
