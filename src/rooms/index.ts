/**
 * @module Rooms: the current state of each room that matters to the
 * directory (joined members, join rule, history visibility) and `applyDelta`,
 * which turns a state delta into a plain description of what changed.
 * Imports ids and errors only.
 */
export type { StateDelta, MemberProfile, RoomState, RoomChange } from './types.js'
export type { ValidDelta } from './validate-delta.js'
export { validateDelta } from './validate-delta.js'
export { applyDelta, isRoomPublic, emptyRoom, cleanProfileText } from './room-state.js'
