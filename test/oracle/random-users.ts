// Generators of directory users (localpart, server, display name) and of
// search terms aimed at them: every class of input a user might type.
import { parseQueryWords } from '../../src/text/parse-words.js'
import type { Random } from '../../corpus/index.js'
import { ALPHABETS, fragment, randomText, word } from './random-text.js'

export const LOCAL_SERVER = 'example.org'
export const REMOTE_SERVERS = [
  'matrix.org', 'matrix.org:8448', 'host-1.example.com', 'chat.example.net:443', '192.168.1.20:8008', 'localhost',
  'localhost:8480', 'xn--bcher-kva.example', 'my_server.io', 'a.b.c.d.example.co.uk:65535', '[::1]:8448', 'e.x',
]

const FIRST = ['alice', 'bob', 'carol', 'dave', 'eve', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'oscar',
  'peggy', 'trent', 'victor', 'walter', 'zoé', 'jürgen', 'søren', 'éloïse', 'françois', 'josé', 'ana', 'li', 'wei']
const LAST = ['smith', 'jones', 'o\'brien', 'müller', 'garcía', 'nguyen', 'kowalski', 'ivanov', 'tanaka', 'kim', 'dupont']
const NAMES = ['Алексей Иванов', 'Γιώργος Παπαδόπουλος', '田中 太郎', '王伟', 'محمد علي', 'דוד כהן', 'राहुल शर्मा',
  '김민준', 'Ｆｕｌｌ Ｗｉｄｔｈ', 'Zoë 🎉', '👍🏽 thumbs', 'e\u0301lodie', 'İlker Çelik', 'ǅemal', 'Straße', 'ÉCOLE']

export function localpart(r: Random): string {
  const roll = r.next()
  if (roll < 0.25) return `user-${r.int(0, 9999)}`
  if (roll < 0.45) return `${r.pick(FIRST)}.${r.pick(LAST)}`.replace(/'/g, '').normalize('NFC')
  if (roll < 0.55) return `${r.pick(FIRST)}_${r.pick(LAST)}`.replace(/'/g, '')
  if (roll < 0.65) return `${r.pick(FIRST)}${r.int(0, 999)}`
  if (roll < 0.7) return `${r.pick(FIRST)}-${r.pick(LAST)}-${r.int(0, 99)}`.replace(/'/g, '')
  if (roll < 0.74) return `${r.pick(FIRST).toUpperCase()}${r.int(1, 99)}`
  if (roll < 0.78) return `${r.int(0, 99999)}`
  if (roll < 0.82) return `=${word(r)}=2f${word(r)}`
  if (roll < 0.86) return `${word(r)}/${word(r)}`
  return word(r).replace(/[@:]/g, '') || 'x'
}

export function displayName(r: Random, local: string): string | null {
  const roll = r.next()
  if (roll < 0.15) return null
  if (roll < 0.18) return ''
  if (roll < 0.45) return `${cap(r.pick(FIRST))} ${cap(r.pick(LAST))}`
  if (roll < 0.6) return r.pick(NAMES)
  if (roll < 0.68) return `${cap(local)}${r.chance(0.5) ? ' (' + r.pick(['work', 'bot', 'she/her', 'AFK']) + ')' : ''}`
  if (roll < 0.74) return `${cap(r.pick(FIRST))} ${cap(r.pick(FIRST))} ${cap(r.pick(LAST))}-${cap(r.pick(LAST))}`
  if (roll < 0.78) return `${r.pick(FIRST)} ${r.pick(FIRST)} ${r.pick(FIRST)}`
  return randomText(r).replace(/\u0000/g, '')
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** A search term a user might type to find `target` (or anything). */
export function searchTerm(r: Random, target: { userId: string; displayName: string | null }): string {
  const local = target.userId.slice(1, target.userId.indexOf(':'))
  const name = target.displayName ?? local
  const nameWords = name.split(/\s+/).filter((w) => w !== '')
  const someNameWord = nameWords.length > 0 ? r.pick(nameWords) : local
  const prefixOf = (s: string): string => [...s].slice(0, r.int(1, Math.max(1, [...s].length))).join('')
  const roll = r.next()
  if (roll < 0.15) return prefixOf(local)
  if (roll < 0.25) return local
  if (roll < 0.35) return prefixOf(someNameWord)
  if (roll < 0.43) return name
  if (roll < 0.5) return target.userId
  if (roll < 0.55) return prefixOf(target.userId)
  if (roll < 0.6) return `${prefixOf(someNameWord)} ${prefixOf(local)}`
  if (roll < 0.64) return swapCase(r, prefixOf(name))
  if (roll < 0.67) return prefixOf(name).normalize('NFD')
  if (roll < 0.7) return toFullWidth(prefixOf(local))
  if (roll < 0.73) return `"${prefixOf(someNameWord)}"`
  if (roll < 0.76) return `${prefixOf(someNameWord)}'s`
  if (roll < 0.8) return String(r.int(0, 999))
  if (roll < 0.83) return Array.from({ length: r.int(2, 14) }, () => word(r)).join(' ')
  if (roll < 0.86) return fragment(r)
  if (roll < 0.89) return Array.from({ length: r.int(1, 8) }, () => r.pick(ALPHABETS.punct)).join('')
  if (roll < 0.91) return word(r).repeat(r.int(50, 400))
  if (roll < 0.95) return word(r).slice(0, r.int(1, 2))
  return randomText(r)
}

function swapCase(r: Random, s: string): string {
  return [...s].map((c) => (r.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('')
}

function toFullWidth(s: string): string {
  return s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
}

export { parseQueryWords }
