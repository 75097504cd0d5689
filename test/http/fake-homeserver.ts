// The homeserver of the HTTP tests: the Synapse emulator
// (test/synapse-emulator) serving whoami and profiles, behind the small API
// these tests were written against (tokens, profiles, call counts, failures).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SynapseEmulator } from '../synapse-emulator/index.js'

/** `tokens.set(token, { userId })` registers the (local) user if needed and makes `token` one of their access tokens. */
class TokenMap extends Map<string, { userId: string; isGuest?: boolean }> {
  constructor(readonly emu: SynapseEmulator) {
    super()
  }

  override set(token: string, who: { userId: string; isGuest?: boolean }): this {
    if (this.emu === undefined) return super.set(token, who) // during Map's own construction
    if (!this.emu.users.has(who.userId)) this.emu.registerUser(who.userId.slice(1).split(':')[0], { guest: who.isGuest === true })
    this.emu.login(who.userId, token)
    return super.set(token, who)
  }
}

/** `profiles.set(userId, profile)` is the (remote) user's global profile as the homeserver answers it. */
class ProfileMap extends Map<string, { displayname?: string; avatar_url?: string }> {
  constructor(readonly emu: SynapseEmulator) {
    super()
  }

  override set(userId: string, profile: { displayname?: string; avatar_url?: string }): this {
    if (this.emu !== undefined) this.emu.setRemoteProfile(userId, { displayName: profile.displayname ?? null, avatarUrl: profile.avatar_url ?? null })
    return super.set(userId, profile)
  }
}

export class FakeHomeserver {
  readonly emu: SynapseEmulator
  readonly tokens: TokenMap
  readonly profiles: ProfileMap
  #failWith: number | null = null
  #profileAnswer: 'normal' | 'not-json' | 'hang' = 'normal'
  #whoamiDelayMs = 0

  private constructor(emu: SynapseEmulator) {
    this.emu = emu
    this.tokens = new TokenMap(emu)
    this.profiles = new ProfileMap(emu)
  }

  static async start(): Promise<FakeHomeserver> {
    return new FakeHomeserver(await SynapseEmulator.start({ serverName: 'test' }))
  }

  get url(): string {
    return this.emu.url
  }

  get whoamiCalls(): number {
    return this.emu.requestCount('whoami')
  }

  /** whoami answers wait this long, ms. */
  get whoamiDelayMs(): number {
    return this.#whoamiDelayMs
  }

  set whoamiDelayMs(ms: number) {
    this.#whoamiDelayMs = ms
    this.#applyFaults()
  }

  /** The most whoami requests the homeserver was answering at once. */
  get whoamiMaxInFlight(): number {
    return this.emu.maxInFlight.get('whoami') ?? 0
  }

  get profileCalls(): number {
    return this.emu.requestCount('profile')
  }

  get lastProfileAuth(): string | undefined {
    return this.emu.requests.filter((r) => r.route === 'profile').at(-1)?.authorization
  }

  /** When set, every answer is this status with an M_UNKNOWN body. */
  get failWith(): number | null {
    return this.#failWith
  }

  set failWith(status: number | null) {
    this.#failWith = status
    this.#applyFaults()
  }

  /** How profile requests are answered: normally, with a 200 that is not JSON, or never. */
  get profileAnswer(): 'normal' | 'not-json' | 'hang' {
    return this.#profileAnswer
  }

  set profileAnswer(answer: 'normal' | 'not-json' | 'hang') {
    this.#profileAnswer = answer
    this.#applyFaults()
  }

  #applyFaults(): void {
    this.emu.clearFaults()
    if (this.#failWith !== null) this.emu.fault({ route: '*', status: this.#failWith })
    else if (this.#whoamiDelayMs > 0) this.emu.fault({ route: 'whoami', delayMs: this.#whoamiDelayMs })
    if (this.#profileAnswer === 'not-json') this.emu.fault({ route: 'profile', rawBody: '<html>gateway page</html>' })
    if (this.#profileAnswer === 'hang') this.emu.fault({ route: 'profile', hang: true })
  }

  async close(): Promise<void> {
    await this.emu.stop()
  }
}

/** A loopback URL nothing listens on (a server was there and is gone). */
export async function unreachableUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}
