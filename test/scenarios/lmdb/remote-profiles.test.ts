// The remote-profiles scenarios on LMDB stores (test/scenarios/harness.ts).
import '../use-lmdb.js'
import '../remote-profiles.test.js'
