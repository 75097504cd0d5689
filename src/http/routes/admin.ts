import type { StateDelta } from '../../rooms/index.js'
import type { Route, RouteRequest } from '../context.js'
import { HttpError } from '../http-error.js'
import { readJsonObject } from '../read-body.js'
import { sendJson } from '../respond.js'
import { requireSecret } from '../shared-secret.js'

const PREFIX = '/_userdir/admin/v1'

function admin(route: Route): Route {
  return {
    ...route,
    async handle(request) {
      requireSecret(request.req, request.url, request.ctx.adminToken, 'admin API', 'M_MISSING_TOKEN')
      await route.handle(request)
    },
  }
}

/** The admin API, authenticated with the admin token as Bearer. */
export const adminRoutes: Route[] = [
  admin({ method: 'POST', pattern: new RegExp(`^${PREFIX}/deltas$`), name: 'admin_deltas', handle: handleDeltas }),
  admin({ method: 'PUT', pattern: new RegExp(`^${PREFIX}/users/([^/]+)$`), name: 'admin_put_user', handle: handlePutUser }),
  admin({ method: 'GET', pattern: new RegExp(`^${PREFIX}/users/([^/]+)$`), name: 'admin_get_user', handle: handleGetUser }),
  admin({ method: 'POST', pattern: new RegExp(`^${PREFIX}/rebuild$`), name: 'admin_rebuild', handle: handleRebuild }),
  admin({ method: 'GET', pattern: new RegExp(`^${PREFIX}/stats$`), name: 'admin_stats', handle: handleStats }),
  admin({ method: 'POST', pattern: new RegExp(`^${PREFIX}/import$`), name: 'admin_import', handle: handleImport }),
]

// Body: { deltas: StateDelta[], position?: integer, transaction_id?: string } → the ingest report.
async function handleDeltas({ req, res, ctx }: RouteRequest): Promise<void> {
  const body = await readJsonObject(req, ctx.maxTransactionBytes)
  if (!Array.isArray(body.deltas)) throw new HttpError(400, 'M_BAD_JSON', '`deltas` must be an array')
  const position = body.position
  if (position !== undefined && position !== null && (typeof position !== 'number' || !Number.isSafeInteger(position))) {
    throw new HttpError(400, 'M_INVALID_PARAM', '`position` must be an integer')
  }
  const transactionId = body.transaction_id
  if (transactionId !== undefined && transactionId !== null && typeof transactionId !== 'string') {
    throw new HttpError(400, 'M_INVALID_PARAM', '`transaction_id` must be a string')
  }
  // Unchecked on purpose: the engine validates each delta and skips a bad one with a warning.
  const deltas = body.deltas as StateDelta[]
  const report = await ctx.writeQueue.ingest(deltas, { position: position ?? undefined, transactionId: transactionId ?? undefined })
  sendJson(res, 200, { applied: report.applied, skipped: report.skipped, duplicate: report.duplicate === true, stream_position: ctx.dir.stats().streamPosition })
}

// Body: any of { user_type, deactivated, locked, displayname, avatar_url }; absent fields keep their value.
async function handlePutUser({ req, res, params, ctx }: RouteRequest): Promise<void> {
  const userId = params[0]
  const body = await readJsonObject(req, ctx.maxBodyBytes)
  // A running import must not overwrite this newer value with its page's.
  ctx.imports?.live.noteUser(userId)
  // One unit of work: the flags and the profile are stored together or not at all.
  await ctx.dir.batch(async () => {
    // The engine checks these types and throws M_INVALID_PARAM (a 400) for a wrong one.
    await ctx.dir.registerLocalUser(userId, {
      userType: body.user_type as string | null | undefined,
      deactivated: body.deactivated as boolean | undefined,
      locked: body.locked as boolean | undefined,
    })
    if ('displayname' in body || 'avatar_url' in body) {
      const current = await ctx.dir.getProfile(userId)
      await ctx.dir.handleLocalProfileChange(userId, {
        displayName: 'displayname' in body ? body.displayname : (current?.display_name ?? null),
        avatarUrl: 'avatar_url' in body ? body.avatar_url : (current?.avatar_url ?? null),
      })
    }
  })
  sendJson(res, 200, { user_id: userId, profile: await ctx.dir.getProfile(userId) })
}

async function handleGetUser({ res, params, ctx }: RouteRequest): Promise<void> {
  const profile = await ctx.dir.getProfile(params[0])
  if (profile === null) throw new HttpError(404, 'M_NOT_FOUND', `${params[0]} is not in the directory`)
  sendJson(res, 200, { user_id: params[0], profile })
}

async function handleRebuild({ res, ctx }: RouteRequest): Promise<void> {
  const { started } = ctx.writeQueue.rebuild()
  sendJson(res, 202, { started, rebuilding: true })
}

async function handleStats({ res, ctx }: RouteRequest): Promise<void> {
  const imported = ctx.imports?.status() ?? null
  const importStatus = imported === null ? null : { ...snakeCaseKeys(imported), changes: imported.changes, running: ctx.imports?.isRunning === true }
  sendJson(res, 200, { ...snakeCaseKeys(ctx.dir.stats()), ...ctx.writeQueue.status(), import: importStatus, follow: ctx.follower?.status() ?? null })
}

// Body (optional): { reconcile?: boolean }. Starts an import or reconcile in the background: 202.
async function handleImport({ req, res, ctx }: RouteRequest): Promise<void> {
  const body = await readJsonObject(req, ctx.maxBodyBytes, { allowEmpty: true })
  const reconcile = body.reconcile ?? false
  if (typeof reconcile !== 'boolean') throw new HttpError(400, 'M_INVALID_PARAM', '`reconcile` must be a boolean')
  if (ctx.imports === null) {
    throw new HttpError(400, 'M_UNKNOWN', 'import is not configured: set homeserver_url and synapse_admin_token_file (a file holding a Synapse server admin\'s access token)')
  }
  const { started } = ctx.imports.start({ reconcile })
  sendJson(res, 202, { started, running: true, mode: reconcile ? 'reconcile' : 'import' })
}

function snakeCaseKeys(record: object): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value
  return out
}
