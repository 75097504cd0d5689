// Pushes events to one registered appservice the way Synapse's appservice
// scheduler does (synapse/appservice/scheduler.py): events queue per service,
// at most one transaction in flight, up to 100 events per transaction
// (MAX_PERSISTENT_EVENTS_PER_TRANSACTION, `_ServiceQueuer._send_request`);
// a failed transaction marks the service DOWN and is kept; a recoverer
// retries the OLDEST kept transaction with the SAME txn id after 2^n units
// (n = 1…9, `_Recoverer.recover`/`_backoff`), resets the back-off on each
// success and drains the kept ones in order; while DOWN, new events are
// stored as new transactions and not sent (`_TransactionController.send`).
// A successful ping makes the recoverer retry at once (`force_retry`).

/** One appservice registration, as in the registration YAML. */
export interface EmulatedAppservice {
  id: string
  /** Base URL of the appservice; null: Synapse never pushes (and ping answers M_URL_NOT_SET). */
  url: string | null
  hs_token: string
  as_token: string
  /** Localpart of the appservice's sender user. */
  sender_localpart: string
  namespaces: {
    users?: { regex: string; exclusive: boolean }[]
    rooms?: { regex: string; exclusive: boolean }[]
    aliases?: { regex: string; exclusive: boolean }[]
  }
}

/** A transaction as pushed: its id, its events, and every attempt's outcome. */
export interface PushedTransaction {
  txnId: number
  events: Record<string, unknown>[]
  /** One entry per attempt: the HTTP status, or the network error's message. */
  attempts: (number | string)[]
  delivered: boolean
}

export interface PusherTiming {
  /** One back-off unit, ms: Synapse's is 1 s, so the n-th retry waits 2^n units (capped at 2^9). Default 10. */
  backoffUnitMs: number
  /** Give up one attempt after this long, ms (Synapse: 60 s). Default 2,000. */
  requestTimeoutMs: number
}

export class AppservicePusher {
  readonly registration: EmulatedAppservice
  /** Every transaction created, in order (delivered or still held). */
  readonly transactions: PushedTransaction[] = []
  readonly #timing: PusherTiming
  readonly #queue: Record<string, unknown>[] = []
  #nextTxnId = 1
  #down = false
  #sending = false
  #backoffCounter = 1
  #recoveryTimer: NodeJS.Timeout | null = null
  #waiters: (() => void)[] = []
  #stopped = false
  #paused = false

  constructor(registration: EmulatedAppservice, timing: PusherTiming) {
    this.registration = registration
    this.#timing = timing
  }

  /** Whether the service is marked DOWN (a transaction failed and is held for retry). */
  get down(): boolean {
    return this.#down
  }

  /** Every event of every delivered transaction, in order. */
  deliveredEvents(): Record<string, unknown>[] {
    return this.transactions.filter((t) => t.delivered).flatMap((t) => t.events)
  }

  /** Transactions created and not yet acknowledged. */
  held(): PushedTransaction[] {
    return this.transactions.filter((t) => !t.delivered)
  }

  enqueue(event: Record<string, unknown>): void {
    if (this.registration.url === null || this.#stopped) return
    this.#queue.push(event)
    this.#pump()
  }

  /** The recoverer retries now instead of after its back-off (what a successful ping does). */
  forceRetry(): void {
    if (!this.#down || this.#stopped) return
    if (this.#recoveryTimer !== null) clearTimeout(this.#recoveryTimer)
    this.#recoveryTimer = null
    void this.#recover()
  }

  /** Resolves once nothing is queued, held or in flight; rejects after `timeoutMs`. */
  async idle(timeoutMs = 5_000): Promise<void> {
    if (this.#isIdle()) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done)
        reject(new Error(`appservice ${this.registration.id}: ${this.held().length} transaction(s) still held, ${this.#queue.length} event(s) queued after ${timeoutMs} ms`))
      }, timeoutMs)
      const done = (): void => {
        clearTimeout(timer)
        resolve()
      }
      this.#waiters.push(done)
    })
  }

  /** The homeserver is down: nothing is sent (events still queue) until `resume()`. */
  pause(): void {
    this.#paused = true
    if (this.#recoveryTimer !== null) clearTimeout(this.#recoveryTimer)
    this.#recoveryTimer = null
  }

  /** Back up: held transactions are retried at once (a fresh recoverer), then queued events go out. */
  resume(): void {
    if (!this.#paused) return
    this.#paused = false
    if (this.#down) void this.#recover()
    else this.#pump()
  }

  stop(): void {
    this.#stopped = true
    if (this.#recoveryTimer !== null) clearTimeout(this.#recoveryTimer)
    this.#recoveryTimer = null
  }

  #isIdle(): boolean {
    return this.#queue.length === 0 && !this.#sending && this.held().length === 0
  }

  #notify(): void {
    if (!this.#isIdle()) return
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }

  // _ServiceQueuer._send_request: one request in flight per service; events
  // arriving meanwhile wait and go out together in the next transaction.
  #pump(): void {
    if (this.#sending || this.#stopped || this.#paused) return
    if (this.#down) {
      // _TransactionController.send: the transaction is stored, not sent, while the service is DOWN.
      while (this.#queue.length > 0) this.#createTxn()
      return
    }
    if (this.#queue.length === 0) return this.#notify()
    const txn = this.#createTxn()
    this.#sending = true
    void this.#attempt(txn).then((ok) => {
      this.#sending = false
      if (!ok) this.#markDown()
      this.#pump()
      this.#notify()
    })
  }

  #createTxn(): PushedTransaction {
    const events = this.#queue.splice(0, 100)
    const txn: PushedTransaction = { txnId: this.#nextTxnId++, events, attempts: [], delivered: false }
    this.transactions.push(txn)
    return txn
  }

  // ApplicationServiceApi.push_bulk: PUT with the hs_token as a Bearer header; only a 200 counts.
  async #attempt(txn: PushedTransaction): Promise<boolean> {
    const { url, hs_token } = this.registration
    try {
      const response = await fetch(`${url}/_matrix/app/v1/transactions/${txn.txnId}`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${hs_token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ events: txn.events }),
        signal: AbortSignal.timeout(this.#timing.requestTimeoutMs),
      })
      await response.arrayBuffer()
      txn.attempts.push(response.status)
      if (response.status === 200) txn.delivered = true
      return txn.delivered
    } catch (error) {
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error)
      txn.attempts.push(cause)
      return false
    }
  }

  // _TransactionController._on_txn_fail → start_recoverer → _Recoverer.recover.
  #markDown(): void {
    if (this.#down) return
    this.#down = true
    this.#backoffCounter = 1
    this.#scheduleRecovery()
  }

  #scheduleRecovery(): void {
    if (this.#stopped || this.#paused) return
    const delay = 2 ** this.#backoffCounter * this.#timing.backoffUnitMs
    this.#recoveryTimer = setTimeout(() => {
      this.#recoveryTimer = null
      void this.#recover()
    }, delay)
  }

  // _Recoverer.retry: send the oldest held transaction (same id); on success
  // reset the back-off and go on; on failure back off (capped at 2^9) and wait.
  async #recover(): Promise<void> {
    if (this.#sending || this.#stopped || this.#paused) return
    this.#sending = true
    for (;;) {
      const txn = this.held()[0]
      if (txn === undefined) {
        // _TransactionController.on_recovered: the service is UP again.
        this.#down = false
        break
      }
      if (await this.#attempt(txn)) {
        this.#backoffCounter = 1
        continue
      }
      if (this.#backoffCounter < 9) this.#backoffCounter++
      this.#sending = false
      this.#scheduleRecovery()
      return
    }
    this.#sending = false
    this.#pump()
    this.#notify()
  }
}

/** Synapse's `ApplicationService._matches_regex` over a namespace list (Python `re.match`: anchored at the start only). */
export function matchesNamespace(list: { regex: string }[] | undefined, value: string): boolean {
  return (list ?? []).some((ns) => new RegExp(`^(?:${ns.regex})`).test(value))
}
