// The rows Synapse's user-directory tables hold for the corpus (SPEC §1–2):
// every local user; remote users seen in a public room (their profile from the
// member event); users_in_public_rooms for every member of a public room; and
// users_who_share_private_rooms for every (local member, other member) of a
// private room. Remote users seen only in private rooms wait for a profile
// fetch, so neither side lists them. Streams rows: the pair table is large.
import { normalizeText } from '../src/text/index.js'
import type { BenchCorpus, BenchUser } from './corpus.js'

/** A `user_directory` row plus what the search vector is built from. */
export interface DirectoryRow {
  user: BenchUser
  /** `display_name` lowercased and NFKC-normalised (Synapse's `_filter_text_for_index`). */
  normalizedName: string | null
}

/** Which users have a directory entry. */
export function inDirectory(corpus: BenchCorpus): Uint8Array {
  const has = new Uint8Array(corpus.users.length)
  for (const i of corpus.locals) has[i] = 1
  for (const room of corpus.rooms) if (room.isPublic) for (const m of room.members) has[m] = 1
  return has
}

export function* directoryRows(corpus: BenchCorpus): Generator<DirectoryRow> {
  const has = inDirectory(corpus)
  for (let i = 0; i < corpus.users.length; i++) {
    if (has[i] === 0) continue
    const user = corpus.users[i]
    yield { user, normalizedName: user.displayName === null ? null : normalizeText(user.displayName) }
  }
}

/** `users_in_public_rooms` rows: [user index, room index]. */
export function* publicRoomRows(corpus: BenchCorpus): Generator<[number, number]> {
  for (let r = 0; r < corpus.rooms.length; r++) {
    const room = corpus.rooms[r]
    if (room.isPublic) for (const m of room.members) yield [m, r]
  }
}

/** `users_who_share_private_rooms` rows: [local user index, other user index, room index]. */
export function* privatePairRows(corpus: BenchCorpus): Generator<[number, number, number]> {
  const users = corpus.users
  for (let r = 0; r < corpus.rooms.length; r++) {
    const room = corpus.rooms[r]
    if (room.isPublic) continue
    for (const l of room.members) {
      if (!users[l].isLocal) break
      for (const m of room.members) if (m !== l) yield [l, m, r]
    }
  }
}

/** Row counts of the three relations (cheap: no pair is materialised). */
export function tableCounts(corpus: BenchCorpus): { directory: number; inPublicRooms: number; sharePrivateRooms: number } {
  let directory = 0
  for (const v of inDirectory(corpus)) directory += v
  let inPublicRooms = 0
  let sharePrivateRooms = 0
  for (const room of corpus.rooms) {
    if (room.isPublic) {
      inPublicRooms += room.members.length
      continue
    }
    let localCount = 0
    for (const m of room.members) if (corpus.users[m].isLocal) localCount++
    sharePrivateRooms += localCount * (room.members.length - 1)
  }
  return { directory, inPublicRooms, sharePrivateRooms }
}
