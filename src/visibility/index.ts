/**
 * @module Visibility: which local users are excluded (the registry), who
 * can see whom (public-room members, private-room sharers, derived from
 * room membership; each update returns what it changed, a
 * `VisibilityChange`), and the search modes' rules (the filter a search walks
 * its candidates through).
 * Imports ids, errors and rooms.
 */
export type { AppserviceRegistration, LocalUser } from './user-registry.js'
export { UserRegistry } from './user-registry.js'
export { RoomVisibility } from './room-visibility.js'
export type { VisibilityChange } from './room-visibility.js'
export { VisibilityFilter } from './visibility-filter.js'
export type { CandidateEntries, PrivateRoomSharing, VisibilityModes } from './visibility-filter.js'
