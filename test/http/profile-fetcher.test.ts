import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ProfileFetchError } from '../../src/index.js'
import { createProfileFetcher } from '../../src/http/index.js'
import { FakeHomeserver } from './fake-homeserver.js'

const test = suite<{ hs: FakeHomeserver }>('src/http/profile-fetcher.ts')

test.before.each(async (ctx) => {
  ctx.hs = await FakeHomeserver.start()
})
test.after.each(async (ctx) => {
  await ctx.hs.close()
})

test('fetches a profile from the homeserver with the as_token', async ({ hs }) => {
  hs.profiles.set('@bruce:remote', { displayname: 'Bruce', avatar_url: 'mxc://remote/b' })
  const fetchProfile = createProfileFetcher({ homeserverUrl: `${hs.url}/`, accessToken: 'as-token' })
  assert.equal(await fetchProfile('@bruce:remote'), { displayname: 'Bruce', avatar_url: 'mxc://remote/b' })
  assert.is(hs.lastProfileAuth, 'Bearer as-token')
})

test('a 404 M_NOT_FOUND is a ProfileFetchError that says not found', async ({ hs }) => {
  const fetchProfile = createProfileFetcher({ homeserverUrl: hs.url, accessToken: 'as-token' })
  const error = await fetchProfile('@ghost:remote').catch((e: unknown) => e)
  assert.instance(error, ProfileFetchError)
  assert.ok((error as ProfileFetchError).isNotFound)
})

test('any other answer is a failure that is not "not found"', async ({ hs }) => {
  hs.failWith = 502
  const fetchProfile = createProfileFetcher({ homeserverUrl: hs.url, accessToken: 'as-token' })
  const error = (await fetchProfile('@bruce:remote').catch((e: unknown) => e)) as ProfileFetchError
  assert.is(error.status, 502)
  assert.not.ok(error.isNotFound)
})

test('a 200 whose body is not JSON is a failure, not an empty profile', async ({ hs }) => {
  hs.profiles.set('@bruce:remote', { displayname: 'Bruce' })
  hs.profileAnswer = 'not-json'
  const fetchProfile = createProfileFetcher({ homeserverUrl: hs.url, accessToken: 'as-token' })
  const error = (await fetchProfile('@bruce:remote').catch((e: unknown) => e)) as ProfileFetchError
  assert.instance(error, ProfileFetchError)
  assert.is(error.status, 200)
  assert.not.ok(error.isNotFound)
})

test('a homeserver that never answers fails after the timeout', async ({ hs }) => {
  hs.profileAnswer = 'hang'
  const fetchProfile = createProfileFetcher({ homeserverUrl: hs.url, accessToken: 'as-token', timeoutMs: 50 })
  const error = await fetchProfile('@bruce:remote').catch((e: unknown) => e)
  assert.instance(error, Error)
  assert.not.ok(error instanceof ProfileFetchError && error.isNotFound)
  assert.match(String((error as Error).name), /TimeoutError|AbortError/)
})

test.run()
