/**
 * @module Visibility: which local users are excluded (the registry) and who
 * can see whom (public-room members, private-room sharers), derived from
 * room membership. Imports ids, errors and rooms.
 */
export type { AppserviceRegistration, LocalUser } from './user-registry.js'
export { UserRegistry } from './user-registry.js'
export { RoomVisibility } from './room-visibility.js'
