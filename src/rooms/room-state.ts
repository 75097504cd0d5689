import type { RoomId, UserId } from '../ids/index.js'
import type { MemberProfile, RoomChange, RoomState } from './types.js'
import type { ValidDelta } from './validate-delta.js'

/** A room is public when it is publicly joinable or world-readable (SPEC §2). */
export function isRoomPublic(room: RoomState): boolean {
  return room.joinRule === 'public' || room.historyVisibility === 'world_readable'
}

/** A fresh room with no state. */
export function emptyRoom(): RoomState {
  return { joinRule: null, historyVisibility: null, joined: new Map() }
}

const NONE: RoomChange = { kind: 'none' }

/**
 * Applies one validated delta to the room (mutating it) and returns what
 * changed. `isLocal` says whether a user id belongs to this server: local
 * members' event profiles are not kept (their global profile is what counts).
 */
export function applyDelta(room: RoomState, roomId: RoomId, delta: ValidDelta, isLocal: (userId: UserId) => boolean): RoomChange {
  switch (delta.kind) {
    case 'ignored':
      return NONE
    case 'member': {
      const before = room.joined.get(delta.userId)
      const wasJoined = before !== undefined
      const isJoined = delta.membership === 'join'
      const keepProfile = !isLocal(delta.userId)
      const profile = delta.profile
      if (!wasJoined && !isJoined) return NONE
      if (wasJoined && isJoined) {
        const profileChanged = keepProfile && (before?.displayName !== profile.displayName || before?.avatarUrl !== profile.avatarUrl)
        if (!profileChanged) return NONE
        room.joined.set(delta.userId, profile)
        return { kind: 'membership', roomId, userId: delta.userId, wasJoined, isJoined, profile, profileChanged }
      }
      if (isJoined) room.joined.set(delta.userId, keepProfile ? profile : null)
      else room.joined.delete(delta.userId)
      return { kind: 'membership', roomId, userId: delta.userId, wasJoined, isJoined, profile, profileChanged: false }
    }
    case 'join_rules':
    case 'history_visibility': {
      const wasPublic = isRoomPublic(room)
      if (delta.kind === 'join_rules') room.joinRule = delta.value
      else room.historyVisibility = delta.value
      const isPublic = isRoomPublic(room)
      return wasPublic === isPublic ? NONE : { kind: 'publicity', roomId, wasPublic, isPublic }
    }
  }
}

/** The profile a member event carries, with non-strings and U+0000 as null (SPEC §1). */
export function memberProfileOf(content: Record<string, unknown> | null): MemberProfile {
  return { displayName: cleanProfileText(content?.displayname), avatarUrl: cleanProfileText(content?.avatar_url) }
}

/** A display name or avatar URL as stored: strings without U+0000, anything else null. */
export function cleanProfileText(value: unknown): string | null {
  return typeof value === 'string' && !value.includes('\u0000') ? value : null
}
