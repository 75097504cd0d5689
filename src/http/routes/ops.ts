import type { Route } from '../context.js'
import { sendJson, sendText } from '../respond.js'

/**
 * `GET /health`: 200 `{ "status": "ok" }` while the directory can take
 * writes; 503 `{ "status": "unavailable", "reason" }` while it is closed or
 * its store cannot be written (read-only, or the last commit failed and no
 * check has succeeded since). A directory service without `health()` is ok.
 */
export const healthRoute: Route = {
  method: 'GET',
  pattern: /^\/health$/,
  name: 'health',
  async handle({ res, ctx }) {
    const dir = ctx.dir as { health?: () => { ok: boolean; reason: string | null } }
    const health = typeof dir.health === 'function' ? dir.health() : { ok: true, reason: null }
    if (health.ok) sendJson(res, 200, { status: 'ok' })
    else sendJson(res, 503, { status: 'unavailable', reason: health.reason })
  },
}

/** `GET /metrics`: Prometheus text exposition. */
export const metricsRoute: Route = {
  method: 'GET',
  pattern: /^\/metrics$/,
  name: 'metrics',
  async handle({ res, ctx }) {
    sendText(res, 200, ctx.metrics.registry.contentType, await ctx.metrics.registry.metrics())
  },
}
