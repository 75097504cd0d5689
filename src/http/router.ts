import type { Route } from './context.js'
import { HttpError } from './http-error.js'

/** The route for a method and path with its decoded captures; 404 or 405 `M_UNRECOGNIZED` otherwise (Synapse's answers). */
export function matchRoute(routes: readonly Route[], method: string, path: string): { route: Route; params: string[] } {
  let pathMatched = false
  for (const route of routes) {
    const match = route.pattern.exec(path)
    if (match === null) continue
    pathMatched = true
    if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue
    let params: string[]
    try {
      params = match.slice(1).map((part) => decodeURIComponent(part))
    } catch {
      throw new HttpError(400, 'M_INVALID_PARAM', 'Bad percent-encoding in the path.')
    }
    return { route, params }
  }
  if (pathMatched) throw new HttpError(405, 'M_UNRECOGNIZED', 'Unrecognized request')
  throw new HttpError(404, 'M_UNRECOGNIZED', 'Unrecognized request')
}
