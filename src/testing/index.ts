/**
 * @module Testing: `TestHomeserver`, a tiny homeserver with a fake clock that
 * drives an embedded `UserDirectory` through the same paths as production.
 */
export { TestHomeserver } from './test-homeserver.js'
export type { TestHomeserverOptions } from './test-homeserver.js'
export { FakeClock } from './fake-clock.js'
