import type { Route } from '../context.js'
import { sendJson, sendText } from '../respond.js'

/** `GET /health`: 200 `{ "status": "ok" }` while the server runs. */
export const healthRoute: Route = {
  method: 'GET',
  pattern: /^\/health$/,
  name: 'health',
  async handle({ res }) {
    sendJson(res, 200, { status: 'ok' })
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
