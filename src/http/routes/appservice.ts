import type { StateDelta } from '../../rooms/index.js'
import type { Route, RouteRequest } from '../context.js'
import { HttpError } from '../http-error.js'
import { readJsonObject } from '../read-body.js'
import { sendJson } from '../respond.js'
import { requireSecret } from '../shared-secret.js'

const WHAT = 'application service API'

/** `PUT /_matrix/app/v1/transactions/{txnId}` and the legacy `PUT /transactions/{txnId}`. */
export const transactionRoutes: Route[] = [
  { method: 'PUT', pattern: /^\/_matrix\/app\/v1\/transactions\/([^/]+)$/, name: 'appservice_transaction', handle: handleTransaction },
  { method: 'PUT', pattern: /^\/transactions\/([^/]+)$/, name: 'appservice_transaction_legacy', handle: handleTransaction },
]

/** `POST /_matrix/app/v1/ping`: the homeserver checks it can reach us (spec v1.7). */
export const pingRoute: Route = {
  method: 'POST',
  pattern: /^\/_matrix\/app\/v1\/ping$/,
  name: 'appservice_ping',
  async handle({ req, res, url, ctx }) {
    requireSecret(req, url, ctx.hsToken, WHAT, 'M_UNAUTHORIZED')
    sendJson(res, 200, {})
  },
}

async function handleTransaction({ req, res, url, params, ctx }: RouteRequest): Promise<void> {
  requireSecret(req, url, ctx.hsToken, WHAT, 'M_UNAUTHORIZED')
  const txnId = params[0]
  const body = await readJsonObject(req, ctx.maxTransactionBytes)
  const events = body.events
  if (!Array.isArray(events)) throw new HttpError(400, 'M_BAD_JSON', '`events` must be an array')
  const { deltas, newestEventMs } = stateDeltasOf(events)
  const report = await ctx.writeQueue.ingest(deltas, { transactionId: txnId }, newestEventMs)
  ctx.logger.info({ txnId, events: events.length, deltas: deltas.length, applied: report.applied, skipped: report.skipped.length, duplicate: report.duplicate === true }, 'appservice transaction')
  sendJson(res, 200, {})
}

/**
 * The state events of a transaction (those with a string `state_key`) as
 * deltas, in order. Other fields are passed through unchecked: the engine
 * skips a malformed delta with a warning and applies the rest.
 */
export function stateDeltasOf(events: unknown[]): { deltas: StateDelta[]; newestEventMs: number | null } {
  const deltas: StateDelta[] = []
  let newestEventMs: number | null = null
  for (const event of events) {
    if (typeof event !== 'object' || event === null) continue
    const e = event as Record<string, unknown>
    if (typeof e.state_key !== 'string') continue
    // Unchecked on purpose: the engine validates each delta and skips a bad one with a warning.
    deltas.push({ room_id: e.room_id, type: e.type, state_key: e.state_key, content: e.content, event_id: e.event_id } as StateDelta)
    const ts = e.origin_server_ts
    if (typeof ts === 'number' && Number.isFinite(ts) && (newestEventMs === null || ts > newestEventMs)) newestEventMs = ts
  }
  return { deltas, newestEventMs }
}
