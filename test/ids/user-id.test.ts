import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { isOnServer, isServerName, parseRoomId, parseServerName, parseUserId } from '../../src/ids/index.js'
import { UserDirectoryError } from '../../src/errors.js'

const test = suite('src/ids/user-id.ts')

function rejects(parse: (value: unknown) => unknown, value: unknown): boolean {
  try {
    parse(value)
    return false
  } catch (error) {
    if (!(error instanceof UserDirectoryError) || error.errcode !== 'M_INVALID_PARAM') throw error
    return true
  }
}

test('accepts well-formed ids and rejects the malformed ones with M_INVALID_PARAM', () => {
  assert.is(parseUserId('@alice:example.org'), '@alice:example.org')
  assert.is(parseUserId('@a.b=c/d:[::1]:8448'), '@a.b=c/d:[::1]:8448')
  assert.is(parseRoomId('!room:example.org'), '!room:example.org')
  for (const bad of [42, null, '', 'alice:example.org', '@:example.org', '@alice', '@alice:', '!room:x', `@${'a'.repeat(250)}:example.org`]) assert.ok(rejects(parseUserId, bad), String(bad))
})

// The rule is "no whitespace or control characters": exactly what the
// regex /[\s\x00-\x1f\x7f]/ matches, checked for every UTF-16 code unit.
test('rejects an id exactly when it holds a character the regex [\\s\\x00-\\x1f\\x7f] matches', () => {
  // eslint-disable-next-line no-control-regex
  const banned = /[\s\x00-\x1f\x7f]/
  for (let c = 0; c < 0x10000; c++) {
    const ch = String.fromCharCode(c)
    assert.is(rejects(parseUserId, `@al${ch}ice:example.org`), banned.test(ch), `U+${c.toString(16)}`)
  }
  fc.assert(fc.property(fc.string({ maxLength: 20 }), (local) => rejects(parseUserId, `@x${local}:example.org`) === banned.test(local) || local.length > 240))
})

test('isOnServer: the part after the first colon is the server name, port included', () => {
  assert.ok(isOnServer('@alice:example.org', 'example.org'))
  assert.ok(isOnServer('@a:b:8448', 'b:8448'))
  assert.not.ok(isOnServer('@a:b:8448', '8448'), 'the first colon starts the server name')
  assert.not.ok(isOnServer('@alice:example.org', 'ample.org'))
  assert.not.ok(isOnServer('@alice:example.org.evil', 'example.org'))
  assert.not.ok(isOnServer(':example.org', 'example.org'), 'no localpart')
})

test('isServerName: a host with an optional port; parseServerName throws on anything else', () => {
  for (const good of ['localhost', 'example.org', 'b:8448', '[::1]:8448']) {
    assert.ok(isServerName(good), good)
    assert.is(parseServerName(good), good)
  }
  for (const bad of ['', 'a b', 'a/b', '@a', 'x\n']) {
    assert.not.ok(isServerName(bad), bad)
    assert.throws(() => parseServerName(bad), /serverName must be a host name/)
  }
  assert.throws(() => parseServerName(7), /serverName must be a host name/)
})

test.run()
