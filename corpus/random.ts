// The seeded generator lives in src/ (the demo uses it too); the generated
// corpora and case sets use it under this name.
export { SeededRandom as Random } from '../src/seeded-random.js'
