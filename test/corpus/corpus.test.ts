import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { generateCorpus, deltaCount, generateQueries, QUERY_CLASSES, privatePairRows, tableCounts } from '../../corpus/index.js'

const test = suite('corpus')
const corpus = generateCorpus(2000, 5)

test('the same size and seed give the same corpus and queries', () => {
  const again = generateCorpus(2000, 5)
  assert.equal(again.users.map((u) => u.userId), corpus.users.map((u) => u.userId))
  assert.equal(again.rooms, corpus.rooms)
  assert.equal(generateQueries(again, 200, 3), generateQueries(corpus, 200, 3))
})

test('users are unique, about 70% local, and rooms a quarter of the users, each holding a local user first', () => {
  assert.is(new Set(corpus.users.map((u) => u.userId)).size, 2000)
  assert.ok(corpus.locals.length > 1250 && corpus.locals.length < 1550, `${corpus.locals.length} locals`)
  assert.is(corpus.rooms.length, 500)
  for (const room of corpus.rooms) {
    assert.ok(corpus.users[room.members[0]].isLocal, room.roomId)
    assert.is(new Set(room.members).size, room.members.length, room.roomId)
  }
})

test('every remote user shares a room with a local user', () => {
  const known = new Set(corpus.rooms.flatMap((room) => room.members))
  for (const [i, user] of corpus.users.entries()) if (!user.isLocal) assert.ok(known.has(i), user.userId)
})

test('the streamed pair rows are as many as the counted ones, and the query mix covers every class', () => {
  let pairs = 0
  for (const _ of privatePairRows(corpus)) pairs++
  assert.is(pairs, tableCounts(corpus).sharePrivateRooms)
  assert.is(deltaCount(corpus), corpus.rooms.reduce((n, room) => n + 2 + room.members.length, 0))
  const classes = new Set(generateQueries(corpus, 400, 3).map((q) => q.class))
  assert.equal([...classes].sort(), [...QUERY_CLASSES].sort())
})

test.run()
