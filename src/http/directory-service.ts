import type { UserDirectory } from '../directory/index.js'
import type { ImportDirectory } from '../import/index.js'

/**
 * What the HTTP server uses of a `UserDirectory`: what an import through
 * `POST /_userdir/admin/v1/import` needs, plus search and upkeep. Any object
 * with these methods will do (tests wrap a directory to hold a call open).
 */
export type DirectoryService = ImportDirectory & Pick<UserDirectory, 'search' | 'rebuild' | 'stats'>
