// The Synapse emulator: see emulator.ts's header and README.md.
export { SynapseEmulator } from './emulator.js'
export type { EmulatedEvent, EmulatedRoom, EmulatedUser, EmulatorOptions, Fault, LoggedRequest, RemoteUser, RouteName } from './emulator.js'
export { AppservicePusher } from './appservice-pusher.js'
export type { EmulatedAppservice, PushedTransaction, PusherTiming } from './appservice-pusher.js'
export type { ReferenceOptions } from './reference.js'
export { directoryAppservice, feedReference, referenceDirectory, referenceTables } from './reference.js'
