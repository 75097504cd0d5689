import type { RoomId, UserId } from '../ids/index.js'

/** One state change of the room state stream (SPEC §4), as it arrives. */
export interface StateDelta {
  room_id: string
  type: string
  state_key: string
  /** The new content; `null` when the state entry was removed. */
  content: Record<string, unknown> | null
  event_id?: string
}

/** The profile a member event carried (kept for remote members only). */
export interface MemberProfile {
  displayName: string | null
  avatarUrl: string | null
}

/**
 * The state of one room that matters to the directory. `joined` holds the
 * joined members only (invites, leaves, bans and knocks do not count); for
 * remote members it keeps the profile of their member event, `null` for
 * local members.
 */
export interface RoomState {
  joinRule: string | null
  historyVisibility: string | null
  joined: Map<UserId, MemberProfile | null>
}

/** What one delta changed, as plain data for the layers after `rooms`. */
export type RoomChange =
  | {
      kind: 'membership'
      roomId: RoomId
      userId: UserId
      wasJoined: boolean
      isJoined: boolean
      /** The member event's profile (display name, avatar) after the change. */
      profile: MemberProfile
      /** For a join → join change: whether the event's profile differs from the previous event's. */
      profileChanged: boolean
    }
  | { kind: 'publicity'; roomId: RoomId; wasPublic: boolean; isPublic: boolean }
  | { kind: 'none' }
