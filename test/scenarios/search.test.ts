import * as assert from 'uvu/assert'
import { ids } from './helpers.js'
import { createHomeserver, scenarioSuite } from './harness.js'

const test = scenarioSuite('scenarios/search')

async function twoUsersInPublicRoom(options = {}) {
  const hs = await createHomeserver(options)
  const alice = await hs.registerUser('alice')
  const room = await hs.createRoom(alice, { isPublic: true })
  return { hs, alice, room }
}

test('limit and limited', async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  for (let i = 0; i < 5; i++) await hs.join(room, await hs.registerUser(`bob${i}`))
  const r = await hs.search(alice, 'bob', 3)
  assert.equal(r.results.length, 3)
  assert.ok(r.limited)
  const all = await hs.search(alice, 'bob', 5)
  assert.equal(all.results.length, 5)
  assert.not.ok(all.limited)
  const none = await hs.search(alice, 'bob', 0)
  assert.equal(none.results, [])
  assert.ok(none.limited)
})

test("'be' finds 'Bela' by display-name prefix", async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  const bela = await hs.registerUser('someuser', { displayName: 'Bela' })
  await hs.join(room, bela)
  assert.equal(ids(await hs.search(alice, 'be')), [bela])
})

test("'somenickname:exa' finds '@somenickname:example.org' (a term with a colon)", async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  await hs.injectMemberEvent(room, '@somenickname:example.org', 'join', { displayname: 'Nick' })
  assert.equal(ids(await hs.search(alice, 'somenickname:exa')), ['@somenickname:example.org'])
  assert.equal(ids(await hs.search(alice, '@somenickname:example.org')), ['@somenickname:example.org'])
})

test("ASCII and Cyrillic searches are case-insensitive ('cHARLIE', 'иВАН')", async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  const charlie = await hs.registerUser('c', { displayName: 'Charlie' })
  const ivan = await hs.registerUser('i', { displayName: 'Иван' })
  await hs.join(room, charlie)
  await hs.join(room, ivan)
  assert.equal(ids(await hs.search(alice, 'cHARLIE')), [charlie])
  assert.equal(ids(await hs.search(alice, 'иВАН')), [ivan])
})

test("composed and decomposed accents find 'Amélie' either way", async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  const composed = await hs.registerUser('a1', { displayName: 'Am\u00e9lie' })
  const decomposed = await hs.registerUser('a2', { displayName: 'Ame\u0301lie' })
  await hs.join(room, composed)
  await hs.join(room, decomposed)
  for (const term of ['am\u00e9lie', 'ame\u0301lie', 'AMÉLIE']) {
    assert.equal(ids(await hs.search(alice, term)).sort(), [composed, decomposed].sort(), term)
  }
})

test("'Gáo' is found by its own display name", async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  const gao = await hs.registerUser('gao', { displayName: 'Gáo' })
  await hs.join(room, gao)
  assert.equal(ids(await hs.search(alice, 'Gáo')), [gao])
})

test('punctuated localparts are found first by their full id', async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  const localparts = ['user-1', 'user.a1', 'user_1', '123', 'abc123', 'user1']
  const users: string[] = []
  for (const localpart of localparts) {
    const user = await hs.registerUser(localpart, { displayName: null })
    users.push(user)
    await hs.join(room, user)
  }
  for (const user of users) {
    const found = ids(await hs.search(alice, user))
    assert.equal(found[0], user, `${user} first for its own id, got ${found.join(', ')}`)
  }
})

test('spam checkers: allow all, block all, and the requester id is passed', async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  const bob = await hs.registerUser('bob')
  await hs.join(room, bob)
  hs.directory.setSpamCheckers([() => false])
  assert.equal(ids(await hs.search(alice, 'bob')), [bob])
  hs.directory.setSpamCheckers([async () => true])
  const blocked = await hs.search(alice, 'bob')
  assert.equal(blocked.results, [])
  const seen: string[] = []
  hs.directory.setSpamCheckers([(profile, requester) => {
    seen.push(`${requester} ${profile.user_id} ${profile.display_name}`)
    return requester === alice
  }])
  assert.equal(ids(await hs.search(alice, 'bob')), [])
  assert.equal(ids(await hs.search(bob, 'bob')), [bob])
  assert.equal(seen, [`${alice} ${bob} bob`, `${bob} ${bob} bob`])
})

test('searchAllUsers finds users sharing no room, but never the requester', async () => {
  const hs = await createHomeserver({ searchAllUsers: true })
  const alice = await hs.registerUser('alice')
  const bob = await hs.registerUser('bob')
  assert.equal(ids(await hs.search(alice, 'bob')), [bob])
  assert.equal(ids(await hs.search(alice, 'alice')), [])
  const plain = await createHomeserver()
  const a = await plain.registerUser('alice')
  await plain.registerUser('bob')
  assert.equal(ids(await plain.search(a, 'bob')), [])
})

test('the requester finds themself through a public room by default', async () => {
  const { hs, alice } = await twoUsersInPublicRoom()
  assert.equal(ids(await hs.search(alice, 'alice')), [alice])
})

test('preferLocalUsers puts local users first', async () => {
  for (const preferLocalUsers of [false, true]) {
    const { hs, alice, room } = await twoUsersInPublicRoom({ preferLocalUsers })
    const local = await hs.registerUser('zed', { displayName: 'Zed' })
    await hs.join(room, local)
    await hs.setProfile(local, { avatarUrl: null })
    await hs.injectMemberEvent(room, '@zed:remote', 'join', { displayname: 'Zed', avatar_url: 'mxc://r/zed' })
    const order = ids(await hs.search(alice, 'zed'))
    assert.equal(order, preferLocalUsers ? [local, '@zed:remote'] : ['@zed:remote', local], `preferLocalUsers=${preferLocalUsers}`)
  }
})

test('excludeRemoteUsers returns local users only', async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom({ excludeRemoteUsers: true })
  const local = await hs.registerUser('zed')
  await hs.join(room, local)
  await hs.injectMemberEvent(room, '@zed:remote', 'join', { displayname: 'zed' })
  assert.equal(ids(await hs.search(alice, 'zed')), [local])
})

test('locked users are hidden unless showLockedUsers', async () => {
  for (const showLockedUsers of [false, true]) {
    const { hs, alice, room } = await twoUsersInPublicRoom({ showLockedUsers })
    const bob = await hs.registerUser('bob', { locked: true })
    await hs.join(room, bob)
    assert.equal(ids(await hs.search(alice, 'bob')), showLockedUsers ? [bob] : [])
    await hs.setLocked(bob, false)
    assert.equal(ids(await hs.search(alice, 'bob')), [bob])
  }
})

test('enabled: false returns no results', async () => {
  const { hs, alice } = await twoUsersInPublicRoom({ enabled: false })
  assert.equal(await hs.search(alice, 'alice'), { limited: false, results: [] })
})

test('results carry display name and avatar, and explain adds the score', async () => {
  const { hs, alice, room } = await twoUsersInPublicRoom()
  const bob = await hs.registerUser('bob', { displayName: 'Bob B' })
  await hs.setProfile(bob, { avatarUrl: 'mxc://test/bob' })
  await hs.join(room, bob)
  const plain = await hs.search(alice, 'bob')
  assert.equal(plain.results, [{ user_id: bob, display_name: 'Bob B', avatar_url: 'mxc://test/bob' }])
  const explained = await hs.search(alice, 'bob', 10, { explain: true })
  assert.type(explained.results[0].score, 'number')
  assert.ok((explained.results[0].score ?? 0) > 0)
})

test('a term with no words finds nothing', async () => {
  const { hs, alice } = await twoUsersInPublicRoom()
  for (const term of ['', '   ', '!!!', '@:', '-']) assert.equal(ids(await hs.search(alice, term)), [], JSON.stringify(term))
})

test('many candidates outside public rooms: only private-room co-members are found, before and after a leave, across repeated searches', async () => {
  // More non-public candidates than the filter intersects (16) before it
  // stamps the requester's co-members, and a ranking cached between searches.
  const hs = await createHomeserver()
  const alice = await hs.registerUser('alice')
  const lobby = await hs.createRoom(alice, { isPublic: false })
  const shared: string[] = []
  const strangers: string[] = []
  for (let i = 0; i < 40; i++) {
    const friend = await hs.registerUser(`pal${i}`, { displayName: `Pal ${i}` })
    await hs.join(lobby, friend)
    shared.push(friend)
    const stranger = await hs.registerUser(`pall${i}`, { displayName: `Pal stranger ${i}` })
    const elsewhere = await hs.createRoom(stranger, { isPublic: false })
    void elsewhere
    strangers.push(stranger)
  }
  assert.equal(ids(await hs.search(alice, 'pal', 100)).sort(), [...shared].sort())
  assert.equal((await hs.search(alice, 'pal', 10)).results.length, 10)
  assert.ok((await hs.search(alice, 'pal', 10)).limited)
  await hs.leave(lobby, shared[0])
  assert.equal(ids(await hs.search(alice, 'pal', 100)).sort(), shared.slice(1).sort(), 'after a leave')
  // A stranger's public room makes them (and only them) visible.
  const plaza = await hs.createRoom(strangers[3], { isPublic: true })
  void plaza
  assert.equal(ids(await hs.search(alice, 'pal', 100)).sort(), [...shared.slice(1), strangers[3]].sort(), 'after a public room')
  assert.equal(ids(await hs.search(strangers[5], 'pal', 100)), [strangers[3]], 'a stranger sees only public-room users')
})

test.run()
