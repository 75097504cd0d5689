// The beyond-synapse scenarios on LMDB stores (test/scenarios/harness.ts).
import '../use-lmdb.js'
import '../beyond-synapse.test.js'
