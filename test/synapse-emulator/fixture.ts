// Shared set-up of the emulator's own tests: an emulator with one appservice
// (a bare recording receiver, every room in its namespace) and a GET helper.
import { SynapseEmulator } from './index.js'
import type { EmulatedAppservice, EmulatorOptions } from './index.js'
import { AsReceiver } from './as-receiver.js'

export const HS_TOKEN = 'hs-secret'
export const AS_TOKEN = 'as-secret'

export function registration(url: string | null): EmulatedAppservice {
  return {
    id: 'userdir',
    url,
    hs_token: HS_TOKEN,
    as_token: AS_TOKEN,
    sender_localpart: 'userdir',
    namespaces: { users: [{ regex: '@userdir:hs\\.test', exclusive: true }], rooms: [{ regex: '.*', exclusive: false }] },
  }
}

export interface Bed {
  emu: SynapseEmulator
  as: AsReceiver
  get(path: string, token?: string | null): Promise<{ status: number; body: any }>
  close(): Promise<void>
}

export async function bed(options: EmulatorOptions = {}): Promise<Bed> {
  const as = await AsReceiver.start()
  const emu = await SynapseEmulator.start({ appservices: [registration(as.url)], ...options })
  return {
    emu,
    as,
    async get(path, token = emu.adminToken) {
      const response = await fetch(emu.url + path, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } })
      const text = await response.text()
      return { status: response.status, body: text === '' ? null : JSON.parse(text) }
    },
    async close() {
      await emu.stop()
      await as.close()
    },
  }
}

/** `[state_key, content]` of the member events among `events`. */
export const members = (events: Record<string, unknown>[]): [unknown, unknown][] => events.filter((e) => e.type === 'm.room.member').map((e) => [e.state_key, e.content])

export const enc = encodeURIComponent
