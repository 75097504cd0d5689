// Search terms a hostile client sends (issue 19 item 3), shared by the unit
// test that bounds the work each one costs (test/text/parse-bounds.test.ts,
// counted in segments and parser steps) and the experiment that times them
// (bench/experiments/hostile-terms.ts).

const KB64 = 64 * 1024

/** `unit` repeated to exactly 64 KB of UTF-16 code units. */
export function fill64k(unit: string): string {
  return unit.repeat(Math.ceil(KB64 / unit.length)).slice(0, KB64)
}

/**
 * Named 64 KB terms: every printable ASCII punctuation character alone and in
 * the runs that once stalled the parser (`~/`, `a-`), plus text that is slow
 * elsewhere: combining marks (NFKC reorders them), ZWJ emoji runs, a
 * character NFKC expands 18 times, glue runs that make one word as long as
 * the parser's cap (`maxQueryChars`, the search-term character cap), runs
 * PostgreSQL's parser backtracks on, and many words.
 */
export function hostileTerms(maxQueryChars: number): [name: string, term: string][] {
  return [
    ...[...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'].map((ch): [string, string] => [`64 KB of ${ch}`, fill64k(ch)]),
    ['~/ runs', fill64k('~/')],
    ['a- runs', fill64k('a-')],
    ['a_ runs', fill64k('a_')],
    ['a. runs', fill64k('a.')],
    ['1.2.3- runs', fill64k('1.2.3-')],
    ['a1@ runs', fill64k('a1@')],
    ['<!-- unclosed', '<!--' + fill64k('a ')],
    ['letters', fill64k('a')],
    ['combining marks after a letter', 'a' + fill64k('\u0301\u0316')],
    ['combining marks alone', fill64k('\u0316\u0301')],
    ['ZWJ runs', fill64k('\u{1F469}\u200d')],
    ['ZWJ alone', fill64k('\u200d')],
    ['NFKC expansion (U+FDFA)', fill64k('\uFDFA')],
    ['NFKC expansion with spaces', fill64k('\uFDFA ')],
    ['Thai', fill64k('ภาษาไทย')],
    ['Han', fill64k('王伟')],
    ['10k words', Array.from({ length: 10_000 }, (_, i) => `w${i}`).join(' ')],
    ['10 long glue words', Array.from({ length: 10 }, () => 'a_'.repeat(200)).join(' ') + fill64k(' -')],
    ['one long glue word', 'a_'.repeat(maxQueryChars / 2 - 1) + fill64k(' ')],
    ['one long hyphenated word', 'a-'.repeat(maxQueryChars / 2 - 1) + fill64k(' ')],
    ['one long digit-hyphen word', '1-'.repeat(maxQueryChars / 2 - 1) + fill64k(' ')],
    ['10 hyphenated words', Array.from({ length: 10 }, () => 'a-'.repeat(200)).join(' ') + fill64k(' ')],
    ['spaces then a word', ' '.repeat(KB64 - 5) + 'alice'],
    ['mixed', fill64k('a-b.c_d ~/ @x:y \u0301!? 王 \u{1F469}\u200d\u{1F467} ')],
  ]
}
