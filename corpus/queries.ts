// The seeded query mix: what people type into a client's "start chat" box,
// sorted into classes so latency can be read per class, with random local
// searchers, Synapse's limits and the directory's mode flags.
import { Random } from './random.js'
import type { BenchCorpus, BenchUser } from './corpus.js'

export const QUERY_CLASSES = ['prefix-1-2', 'prefix-3+', 'full-word', 'two-words', 'user-id', 'punctuation', 'non-latin', 'no-match'] as const
export type QueryClass = (typeof QUERY_CLASSES)[number]
const CLASS_WEIGHTS: Record<QueryClass, number> = {
  'prefix-1-2': 15, 'prefix-3+': 20, 'full-word': 15, 'two-words': 12, 'user-id': 10, punctuation: 8, 'non-latin': 12, 'no-match': 8,
}

/** A directory configuration (Synapse's `user_directory` options). */
export interface Mode {
  name: string
  searchAllUsers: boolean
  preferLocalUsers: boolean
  excludeRemoteUsers: boolean
  showLockedUsers: boolean
}

export const MODES: readonly Mode[] = [
  { name: 'default', searchAllUsers: false, preferLocalUsers: false, excludeRemoteUsers: false, showLockedUsers: false },
  { name: 'search-all', searchAllUsers: true, preferLocalUsers: false, excludeRemoteUsers: false, showLockedUsers: false },
  { name: 'search-all+prefer-local', searchAllUsers: true, preferLocalUsers: true, excludeRemoteUsers: false, showLockedUsers: false },
  { name: 'exclude-remote+show-locked', searchAllUsers: false, preferLocalUsers: false, excludeRemoteUsers: true, showLockedUsers: true },
]
const MODE_WEIGHTS = [55, 15, 15, 15]

export interface BenchQuery {
  term: string
  class: QueryClass
  /** Index into the corpus users (a local user). */
  requester: number
  limit: number
  /** Index into `MODES`. */
  mode: number
}

function weighted<T extends string | number>(r: Random, items: readonly T[], weights: readonly number[]): T {
  let roll = r.next() * weights.reduce((a, b) => a + b, 0)
  for (let i = 0; i < items.length; i++) {
    roll -= weights[i]
    if (roll < 0) return items[i]
  }
  return items[items.length - 1]
}

const prefix = (r: Random, s: string, min: number, max: number): string => {
  const chars = [...s]
  return chars.slice(0, Math.min(chars.length, r.int(min, max))).join('')
}
const nameWords = (u: BenchUser): string[] => (u.displayName ?? '').split(/\s+/).filter((w) => /\p{L}/u.test(w))
const isNonLatin = (s: string): boolean => /[\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Devanagari}\p{Script=Thai}]/u.test(s)

function termOf(r: Random, cls: QueryClass, corpus: BenchCorpus): string {
  const users = corpus.users
  const target = (accept: (u: BenchUser) => boolean): BenchUser => {
    for (let tries = 0; tries < 200; tries++) {
      const u = r.pick(users)
      if (accept(u)) return u
    }
    return users[0]
  }
  switch (cls) {
    case 'prefix-1-2': {
      const u = target(() => true)
      const source = r.chance(0.5) ? u.localpart : (nameWords(u)[0] ?? u.localpart)
      return prefix(r, source.toLowerCase(), 1, 2)
    }
    case 'prefix-3+': {
      const u = target((x) => nameWords(x).length > 0 && !isNonLatin(x.displayName ?? ''))
      const word = r.chance(0.5) ? u.localpart : r.pick(nameWords(u))
      return prefix(r, word, 3, Math.max(3, [...word].length - 1))
    }
    case 'full-word': {
      const u = target((x) => nameWords(x).length > 0)
      return r.chance(0.3) ? u.localpart : r.pick(nameWords(u))
    }
    case 'two-words': {
      const u = target((x) => nameWords(x).length >= 2)
      const [a, b] = nameWords(u)
      return r.chance(0.5) ? `${a} ${prefix(r, b, 1, 4)}` : `${prefix(r, a, 2, 5)} ${b}`
    }
    case 'user-id': {
      const u = target(() => true)
      return r.chance(0.5) ? u.userId : r.chance(0.5) ? `@${u.localpart}` : prefix(r, u.userId, 3, u.userId.length - 2)
    }
    case 'punctuation': {
      const u = target((x) => /[._-]/.test(x.localpart))
      const roll = r.next()
      if (roll < 0.4) return prefix(r, u.localpart, u.localpart.search(/[._-]/) + 1, u.localpart.length)
      if (roll < 0.6) return `"${nameWords(u)[0] ?? u.localpart}"`
      if (roll < 0.8) return `${nameWords(u)[1] ?? u.localpart}, ${prefix(r, nameWords(u)[0] ?? 'x', 1, 1)}`
      return r.pick(['(work)', '🎉', 'o\'br', '!!!', '---', '@', '...', 'user-1', 'mx.c/'])
    }
    case 'non-latin': {
      const u = target((x) => isNonLatin(x.displayName ?? ''))
      const words = nameWords(u)
      const word = words.length > 0 ? r.pick(words) : (u.displayName ?? '')
      return r.chance(0.5) ? word : prefix(r, word, 1, 2)
    }
    case 'no-match': {
      const letters = 'qxzjvkwy'
      return Array.from({ length: r.int(4, 9) }, () => letters[r.int(0, letters.length - 1)]).join('') + (r.chance(0.3) ? String(r.int(0, 99)) : '')
    }
  }
}

/** `count` queries drawn from `seed`, each class, searcher, limit and mode at random. */
export function generateQueries(corpus: BenchCorpus, count: number, seed = 2): BenchQuery[] {
  const r = new Random(seed)
  const classes = QUERY_CLASSES.map((c) => CLASS_WEIGHTS[c])
  const modes = MODES.map((_, i) => i)
  const queries: BenchQuery[] = []
  for (let i = 0; i < count; i++) {
    const cls = weighted(r, QUERY_CLASSES, classes)
    queries.push({
      term: termOf(r, cls, corpus),
      class: cls,
      requester: corpus.locals[Math.floor(corpus.locals.length * Math.pow(r.next(), 1.4))],
      limit: weighted(r, [10, 50, 5, 20], [70, 20, 5, 5]),
      mode: weighted(r, modes, MODE_WEIGHTS),
    })
  }
  return queries
}
