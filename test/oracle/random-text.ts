// Generators of adversarial text for the tokenizer: every script and symbol
// class the default parser treats differently, and the token shapes it has
// special states for (hyphenated words, hosts, ports, e-mails, URLs, paths,
// signed and decimal numbers, versions, XML tags and entities).
import type { Random } from '../../corpus/index.js'

const ranges = (...pairs: [number, number][]): string[] => {
  const out: string[] = []
  for (const [lo, hi] of pairs) for (let cp = lo; cp <= hi; cp++) out.push(String.fromCodePoint(cp))
  return out
}

export const ALPHABETS: Record<string, readonly string[]> = {
  lower: ranges([0x61, 0x7a]),
  upper: ranges([0x41, 0x5a]),
  digit: ranges([0x30, 0x39]),
  punct: [...'-._@:/~+&<>\'"\\!?#%=;,*()[]{}|^$`'],
  space: [' ', ' ', ' ', '\t', '\n', '\r', '\u000b', '\u000c'],
  latin: [...'éèêëàâäçñöüßÉÈÀÇÑÖÜøåæœĳŁłđğışĞİ'],
  cyrillic: ranges([0x410, 0x44f]),
  greek: ranges([0x391, 0x3a9], [0x3b1, 0x3c9]),
  cjk: [...'日本語中文字漢字東京北京人大学한국어ひらがなカタカナ'],
  arabic: ranges([0x627, 0x64a]),
  hebrew: ranges([0x5d0, 0x5ea]),
  devanagari: ranges([0x905, 0x939], [0x93e, 0x94d]),
  emoji: ['😀', '🎉', '👍🏽', '👨‍👩‍👧', '❤️', '🇫🇷', '🙂', '✨', '🔥'],
  fullwidth: ranges([0xff01, 0xff5e]),
  combining: ranges([0x300, 0x36f]),
  invisible: ['\u200b', '\u200c', '\u200d', '\u00ad', '\ufeff', '\u2060', '\u00a0', '\u3000'],
  // Non-ASCII letters whose UTF-32 low byte is an ASCII digit, space or symbol.
  lowbyte: ['Ġ', 'İ', 'ı', 'Ĳ', 'ĺ', 'Ā', 'Ĭ', 'ĭ', 'Į', 'ɀ', 'Ȯ', 'ȯ', '\u0130', '\u0131', '\u0120', '\u012d'],
  symbols: [...'©®™°±×÷€£¥§¶•…‰′″←→↑↓∞≈≠≤≥√∑∏'],
}

const SHAPES: readonly ((r: Random) => string)[] = [
  (r) => `${word(r)}-${r.int(0, 999)}`,
  (r) => `${word(r)}.${word(r)}`,
  (r) => `${word(r)}_${word(r)}`,
  (r) => `${word(r)}'${word(r)}`,
  (r) => `${word(r)}@${word(r)}.${r.pick(['com', 'org', 'io', 'co.uk'])}`,
  (r) => `${r.pick(['http', 'https', 'ftp'])}://${word(r)}.${r.pick(['com', 'org'])}${r.chance(0.5) ? `:${r.int(1, 65535)}` : ''}/${word(r)}${r.chance(0.3) ? `?q=${word(r)}` : ''}`,
  (r) => `${word(r)}.${r.pick(['com', 'org', 'example.org'])}:${r.int(1, 99999)}`,
  (r) => `${r.int(0, 99)}.${r.int(0, 99)}.${r.int(0, 99)}${r.chance(0.3) ? `.${r.int(0, 9)}` : ''}`,
  (r) => `${r.pick(['-', '+', ''])}${r.int(0, 99999)}`,
  (r) => `${r.pick(['-', '+', ''])}${r.int(0, 99)}.${r.int(0, 999)}`,
  (r) => `${r.int(1, 9)}${r.pick(['e', 'E'])}${r.pick(['', '-', '+'])}${r.int(0, 99)}`,
  (r) => `-${r.int(0, 9)}.${r.int(0, 9)}.${r.int(0, 9)}`,
  (r) => `${r.pick(['/', '~/', './', '../', '.'])}${word(r)}/${word(r)}${r.chance(0.5) ? `.${word(r)}` : ''}`,
  (r) => `<${r.pick(['b', 'i', 'script', 'style', '/b', '/script', '!--', 'a href="x"', '?xml'])}>`,
  (r) => `&${r.pick(['amp', 'lt', '#39', '#x27', 'nbsp', 'foo'])}${r.chance(0.8) ? ';' : ''}`,
  (r) => Array.from({ length: r.int(2, 5) }, () => (r.chance(0.3) ? String(r.int(0, 99)) : word(r))).join('-'),
  (r) => `${r.pick(['-', '--', ''])}${word(r)}${r.pick(['-', '--', ''])}`,
  (r) => `${word(r)}${r.int(0, 99)}${word(r)}`,
  (r) => `@${word(r)}:${word(r)}.${r.pick(['org', 'com'])}`,
  (r) => `${word(r)}.${word(r)}-${word(r)}_${r.int(0, 9)}.${word(r)}`,
]

function letters(r: Random, alphabet: readonly string[], lo: number, hi: number): string {
  let s = ''
  for (let n = r.int(lo, hi); n > 0; n--) s += r.pick(alphabet)
  return s
}

/** A short word, mostly ASCII letters, sometimes another script or mixed. */
export function word(r: Random): string {
  const roll = r.next()
  if (roll < 0.6) return letters(r, ALPHABETS.lower, 1, 8)
  if (roll < 0.7) return letters(r, [...ALPHABETS.lower, ...ALPHABETS.upper, ...ALPHABETS.digit], 1, 8)
  const script = r.pick(['latin', 'cyrillic', 'greek', 'cjk', 'arabic', 'hebrew', 'devanagari', 'lowbyte', 'fullwidth'])
  return letters(r, [...ALPHABETS[script], ...ALPHABETS.lower], 1, 6)
}

/** One fragment: a word, a structured token, or a run from some alphabet. */
export function fragment(r: Random): string {
  const roll = r.next()
  if (roll < 0.35) return word(r)
  if (roll < 0.7) return r.pick(SHAPES)(r)
  const names = Object.keys(ALPHABETS)
  return letters(r, ALPHABETS[r.pick(names)], 1, 4)
}

/** A random text of a few fragments joined by random separators (rarely very long). */
export function randomText(r: Random): string {
  const count = r.chance(0.02) ? r.int(100, 600) : r.int(1, 6)
  let s = ''
  for (let i = 0; i < count; i++) {
    if (i > 0 && r.chance(0.7)) s += r.chance(0.8) ? ' ' : r.pick([...ALPHABETS.punct, ...ALPHABETS.space])
    s += fragment(r)
  }
  if (r.chance(0.01)) s += letters(r, ALPHABETS.lower, 2040, 2060)
  return s
}

/** A random "soup": characters drawn uniformly from every alphabet. */
export function soup(r: Random, length: number): string {
  const all = Object.values(ALPHABETS).flat()
  return letters(r, all, length, length)
}

/** Hand-picked inputs that hit specific parser states. */
export const FIXED_TEXTS: readonly string[] = [
  'user-71', 'alice.smith', 'a_b', "o'brien", 'foo-bar', 'foo-bar-baz', 'a-1', '1-a', '1-2', 'a--b', '-a', 'a-', '-',
  'host.com:8448', 'example.org', 'localhost:8008', '127.0.0.1', '127.0.0.1:8448', '[::1]:8448', 'a.b.c.d.e',
  'alice@example.org', '@alice:example.org', 'a@b', 'a@b.c', 'http://x.org/a/b', 'https://matrix.org:443/_matrix',
  'x.org/a/b', 'ftp://a.b/c?d=e&f=g', '/usr/lib', '~/x', './a', '../a/b', '.a', 'a/b', '1.2.3', '1.2.3.4', '-1.2.3',
  '-5', '+5', '1e5', '1E-5', '3.14', '-3.14', '.5', '5.', '1,000', '1_000', '0x1F', '<b>bold</b>', '<script>x</script>y',
  '<style>a</style>b', '<!-- c -->d', '&amp;', '&#39;', '&#x27;', '&foo', 'ÉCOLE', 'École', 'Ġx ı1 aı1', 'straße',
  'Ａｌｉｃｅ', '１２３', 'İstanbul', 'ǅemal', '日本語', 'Москва-2', 'αβγ.δε', 'مرحبا', 'שלום', 'नमस्ते', '👍🏽', '👨‍👩‍👧 fam',
  'a\u200bb', 'a\u00adb', 'e\u0301', '', ' ', '\t\n', "''", '\\', '\\\\', "it's", 'a:b', 'a::b', 'a@@b', 'a..b', 'a.-b',
  'a-.b', 'v1.2', 'v1-2', 'x86_64', 'UTF-8', 'e-mail', 'co-op', 'ab12cd', '12ab', 'ab-12cd', 'ab.12', '12.ab', 'a.1.b',
  '1.a.2', 'a_1', '_a', 'a_', '__', 'user_71-b.c', 'Ünïcödé-Wörd', 'naïve-café', 'ДЖ-2', 'a-б', 'б-a', '1-б', 'б-1',
]
