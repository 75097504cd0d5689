// The membership scenarios on LMDB stores (test/scenarios/harness.ts).
import '../use-lmdb.js'
import '../membership.test.js'
