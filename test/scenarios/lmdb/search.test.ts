// The search scenarios on LMDB stores (test/scenarios/harness.ts).
import '../use-lmdb.js'
import '../search.test.js'
