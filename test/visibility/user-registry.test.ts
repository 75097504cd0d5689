import fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { ServerName, UserId } from '../../src/ids/index.js'
import { serverNameOf } from '../../src/ids/index.js'
import { UserRegistry } from '../../src/visibility/index.js'

const test = suite('src/visibility/user-registry.ts')

test('isLocal: the server name after the first colon, exactly (ports, colons in the server part, look-alike suffixes)', () => {
  const plain = new UserRegistry('example.org' as ServerName, [])
  const ported = new UserRegistry('example.org:8448' as ServerName, [])
  const cases: [UserRegistry, string, boolean][] = [
    [plain, '@a:example.org', true],
    [plain, '@alice.smith:example.org', true],
    [plain, '@a:b:example.org', false],
    [plain, '@a:xexample.org', false],
    [plain, '@a:example.org:8448', false],
    [plain, '@example.org:example.org', true],
    [plain, '@a:example.orgx', false],
    [ported, '@a:example.org:8448', true],
    [ported, '@a:example.org', false],
    [ported, '@a:x:example.org:8448', false],
  ]
  for (const [registry, userId, expected] of cases) assert.is(registry.isLocal(userId as UserId), expected, userId)
})

test('isLocal agrees with comparing the sliced server name, for any id', () => {
  const part = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'b', ':', '.', '8') })
  fc.assert(
    fc.property(part, part, part, (localpart, server, own) => {
      const registry = new UserRegistry(own as ServerName, [])
      const userId = `@${localpart.replaceAll(':', '')}x:${server}` as UserId
      assert.is(registry.isLocal(userId), serverNameOf(userId) === own)
    }),
  )
})

test.run()
