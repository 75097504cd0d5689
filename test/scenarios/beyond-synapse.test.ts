// The opt-in matching beyond Synapse (accentInsensitive, infixMatch): what it
// finds, how it ranks against Synapse's own matches, and that with the
// options off the same searches find exactly what Synapse finds.
import * as assert from 'uvu/assert'
import { UserDirectory } from '../../src/index.js'
import type { TestHomeserverOptions } from '../../src/testing/test-homeserver.js'
import { ids } from './helpers.js'
import { createHomeserver, scenarioSuite } from './harness.js'

const test = scenarioSuite('scenarios/beyond-synapse')

// A public room holding `searcher` and one user per [localpart, display name].
async function directoryWith(options: TestHomeserverOptions, users: [string, string | null, string?][]) {
  const hs = await createHomeserver(options)
  const searcher = await hs.registerUser('searcher', { displayName: 'Searcher' })
  const room = await hs.createRoom(searcher, { isPublic: true })
  const byLocalpart: Record<string, string> = {}
  for (const [localpart, displayName, avatarUrl] of users) {
    const user = await hs.registerUser(localpart, { displayName })
    if (avatarUrl !== undefined) await hs.setProfile(user, { avatarUrl })
    await hs.join(room, user)
    byLocalpart[localpart] = user
  }
  return { hs, searcher, u: byLocalpart }
}

const ACCENTED: [string, string | null][] = [['u1', 'Amélie'], ['u2', 'José'], ['u3', 'İİİİİ'], ['u4', 'ıııı'], ['u5', 'iiii']]

test("options off (Synapse): 'amelie', 'jose' and 'iiiii' find no accented name, 'lex' does not find 'alex'", async () => {
  const { hs, searcher, u } = await directoryWith({}, [...ACCENTED, ['alex', 'Alex']])
  for (const term of ['amelie', 'jose', 'iiiii', 'lex']) assert.equal(ids(await hs.search(searcher, term)), [], term)
  assert.equal(ids(await hs.search(searcher, 'ıııı')), [u.u4])
  assert.equal(ids(await hs.search(searcher, 'iiii')), [u.u5])
})

test("accentInsensitive: 'amelie' finds 'Amélie' and 'jose' finds 'José'", async () => {
  const { hs, searcher, u } = await directoryWith({ accentInsensitive: true }, ACCENTED)
  assert.equal(ids(await hs.search(searcher, 'amelie')), [u.u1])
  assert.equal(ids(await hs.search(searcher, 'jose')), [u.u2])
  assert.equal(ids(await hs.search(searcher, 'AMELIE')), [u.u1])
  assert.equal(ids(await hs.search(searcher, 'josé')), [u.u2])
})

test("accentInsensitive: Turkish dotted and dotless i match each other ('iiiii' finds 'İİİİİ', 'ıııı' ⇄ 'iiii')", async () => {
  const { hs, searcher, u } = await directoryWith({ accentInsensitive: true }, ACCENTED)
  assert.equal(ids(await hs.search(searcher, 'iiiii')), [u.u3])
  assert.equal(ids(await hs.search(searcher, 'İİİİİ')), [u.u3])
  // Each finds its own spelling first, then the other (and the longer 'İİİİİ' by prefix).
  assert.equal(ids(await hs.search(searcher, 'ıııı')), [u.u4, u.u5, u.u3])
  assert.equal(ids(await hs.search(searcher, 'iiii')), [u.u5, u.u4, u.u3])
})

test('accentInsensitive: an exact-accent match ranks above every folded one, even one Synapse would score higher', async () => {
  // The folded match has a display name that is exactly the word and an
  // avatar, so its score beats the exact match's; the tier still decides.
  const users: [string, string | null, string?][] = [['amelie', 'Amelie', 'mxc://test/a'], ['zz', 'Zoë Amélie de la Fontaine']]
  const { hs, searcher, u } = await directoryWith({ accentInsensitive: true }, users)
  const accented = await hs.search(searcher, 'amélie', 10, { explain: true })
  assert.equal(ids(accented), [u.zz, u.amelie])
  assert.ok((accented.results[1].score as number) > (accented.results[0].score as number))
  assert.equal(ids(await hs.search(searcher, 'amelie')), [u.amelie, u.zz])
})

test("accentInsensitive: exact matches keep Synapse's scores", async () => {
  const users: [string, string | null][] = [['amelie', 'Amelie'], ['zz', 'Zoë Amélie']]
  const plain = await directoryWith({}, users)
  const folding = await directoryWith({ accentInsensitive: true }, users)
  const before = await plain.hs.search(plain.searcher, 'amelie', 10, { explain: true })
  const after = await folding.hs.search(folding.searcher, 'amelie', 10, { explain: true })
  assert.equal(after.results[0], before.results[0])
  assert.is(after.results.length, 2)
})

test("infixMatch: 'lex' finds 'alex', below every prefix match", async () => {
  const users: [string, string | null, string?][] = [['alex', 'Alex', 'mxc://test/a'], ['lexa', null], ['jsmith', 'J']]
  const { hs, searcher, u } = await directoryWith({ infixMatch: true }, users)
  assert.equal(ids(await hs.search(searcher, 'lex')), [u.lexa, u.alex])
  assert.equal(ids(await hs.search(searcher, 'smith')), [u.jsmith])
})

test('infixMatch with accentInsensitive: prefix, folded prefix, infix, folded infix', async () => {
  const users: [string, string | null][] = [['u1', 'Lèxa'], ['u2', 'Lexa'], ['u3', 'Álèx'], ['u4', 'Alex']]
  const { hs, searcher, u } = await directoryWith({ accentInsensitive: true, infixMatch: true }, users)
  assert.equal(ids(await hs.search(searcher, 'lèx')), [u.u1, u.u2, u.u3, u.u4])
  assert.equal(ids(await hs.search(searcher, 'lex')), [u.u2, u.u1, u.u4, u.u3])
})

test('limited counts the matches of every tier', async () => {
  const { hs, searcher } = await directoryWith({ infixMatch: true }, [['lexa', null], ['alex', null]])
  const page = await hs.search(searcher, 'lex', 1)
  assert.equal(page.results.length, 1)
  assert.ok(page.limited)
})

test('a profile change re-indexes the folded and infix forms', async () => {
  const { hs, searcher, u } = await directoryWith({ accentInsensitive: true, infixMatch: true }, [['u1', 'Amélie']])
  assert.equal(ids(await hs.search(searcher, 'melie')), [u.u1])
  await hs.setProfile(u.u1, { displayName: 'Zoé' })
  assert.equal(ids(await hs.search(searcher, 'melie')), [])
  assert.equal(ids(await hs.search(searcher, 'oe')), [u.u1])
  await hs.directory.rebuild()
  assert.equal(ids(await hs.search(searcher, 'zoe')), [u.u1])
})

test('the options must be booleans', async () => {
  for (const option of ['accentInsensitive', 'infixMatch']) {
    try {
      await UserDirectory.open({ serverName: 'test', [option]: 'yes' })
      assert.unreachable(option)
    } catch (error) {
      assert.match((error as Error).message, `option ${option} must be a boolean`)
    }
  }
})

test.run()
