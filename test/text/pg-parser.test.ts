import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseTokens, toParserInput } from '../../src/text/pg-parser.js'
import { TokenType } from '../../src/text/pg-parser-states.js'

const test = suite('src/text/pg-parser.ts')

function tokens(text: string): [number, string][] {
  const input = toParserInput(text)
  const out: [number, string][] = []
  parseTokens(input, (type, start, end) => out.push([type, text.slice(input.offsets[start], input.offsets[end])]))
  return out
}

test('emits a URL as url, then host, then url_path (ts_debug order)', () => {
  assert.equal(tokens('http://x.org/a'), [
    [TokenType.Protocol, 'http://'],
    [TokenType.Url, 'x.org/a'],
    [TokenType.Host, 'x.org'],
    [TokenType.UrlPath, '/a'],
  ])
})

test('emits a hyphenated word whole, then its parts', () => {
  assert.equal(tokens('foo-bar'), [
    [TokenType.AsciiHWord, 'foo-bar'],
    [TokenType.AsciiPartHWord, 'foo'],
    [TokenType.Space, '-'],
    [TokenType.AsciiPartHWord, 'bar'],
  ])
})

test('treats every non-ASCII character as a letter, never as a digit or space', () => {
  assert.equal(tokens('aı1 Ġx'), [
    [TokenType.NumWord, 'aı1'],
    [TokenType.Space, ' '],
    [TokenType.Word, 'Ġx'],
  ])
})

test('recognises signed integers, decimals, versions and scientific numbers', () => {
  const types = (text: string): number[] => tokens(text).map(([type]) => type)
  assert.equal(types('-5'), [TokenType.SignedInt])
  assert.equal(types('3.14'), [TokenType.Decimal])
  assert.equal(types('1.2.3'), [TokenType.Version])
  assert.equal(types('1e5'), [TokenType.Scientific])
})

test('skips the content of <script> tags', () => {
  assert.equal(tokens('<script>x</script>y').filter(([type]) => type !== TokenType.Space && type !== TokenType.Tag), [[TokenType.AsciiWord, 'y']])
})

test('stops after its work cap on crafted input instead of going quadratic', () => {
  const found = tokens('<!--'.repeat(50000))
  assert.ok(found.length < 200000)
})

test.run()
