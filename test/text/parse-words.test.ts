import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseQueryWords } from '../../src/text/parse-words.js'

const test = suite('text/parse-words')

const cases: [string, string[]][] = [
  ['user-71', ['user-71']],
  ['alice.smith', ['alice.smith']],
  ['a_b', ['a_b']],
  ['@Alice.Smith:example.org', ['alice.smith', 'example.org']],
  ['somenickname:exa', ['somenickname', 'exa']],
  ['-71', ['-71']],
  ['user-', ['user']],
  ['a-b-c', ['a-b-c']],
  ['x - y', ['x', 'y']],
  ['a.-b', ['a', '-b']],
  ['foo bar  baz', ['foo', 'bar', 'baz']],
  ["o'brien", ["o'brien"]],
  ['hello, world!', ['hello', 'world']],
  ['cHARLIE', ['charlie']],
  ['иВАН', ['иван']],
  ['Ame\u0301lie', ['am\u00e9lie']],
  ['ＡＢＣ１２３', ['abc123']],
  ['王伟', ['王', '伟']],
  ['', []],
  ['!!! ??? ...', []],
  ['@:@:', []],
]

test('splits terms as Synapse does with ICU, gluing - . _ to the next word', () => {
  for (const [term, words] of cases) assert.equal(parseQueryWords(term), words, JSON.stringify(term))
})

test('keeps at most 10 words', () => {
  assert.equal(parseQueryWords('a b c d e f g h i j k l m'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'])
})

test('a gigantic term is only segmented up to its eleventh word', () => {
  const words = parseQueryWords('word '.repeat(200_000))
  assert.equal(words.length, 10)
})

test.run()
