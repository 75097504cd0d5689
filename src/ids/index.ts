/**
 * @module Matrix ids as branded strings: the only place that creates them. Imports nothing of ours but errors.
 */
export type { UserId, RoomId, ServerName } from './user-id.js'
export { parseUserId, parseRoomId, parseServerName, localpartOf, serverNameOf, isOnServer, isServerName } from './user-id.js'
