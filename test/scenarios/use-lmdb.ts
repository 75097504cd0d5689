// Imported first by the files under test/scenarios/lmdb/: the suite they
// import next runs on LMDB stores (see harness.ts).
import { scenarioStore } from './harness.js'

scenarioStore.kind = 'lmdb'
