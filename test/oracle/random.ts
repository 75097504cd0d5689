// The seeded generator lives in src/ (the demo uses it too); the generated
// case sets and the bench corpus use it under this name.
export { SeededRandom as Random } from '../../src/seeded-random.js'
