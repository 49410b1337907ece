/**
 * Development-only admin routes of local Blocks (the jobs CLI lists a
 * queue, re-drives a dead letter, runs a schedule now, through the dev
 * server that owns the data rather than by opening its files from a second
 * process). Each route answers only callers on this machine that send the
 * `x-blocks-admin: 1` header: a web page cannot send a custom header to
 * another origin without a CORS preflight, which these routes never grant.
 */
import { ForbiddenError } from '../core/errors.js';
import { isLoopbackAddress } from '../core/loopback.js';
import type { HttpRoute, RouteRequest, RouteResponse } from '../core/routes.js';

export const ADMIN_HEADER = 'x-blocks-admin';
/** Every admin route lives under this prefix, followed by `<area>/<scope>/<id>`. */
export const ADMIN_PREFIX = '/aws-blocks/local-admin/';

export function adminRoute(method: 'GET' | 'POST', path: string, handle: (request: RouteRequest) => Promise<unknown>): HttpRoute {
  return {
    method,
    path: `${ADMIN_PREFIX}${path}`,
    async handle(request): Promise<RouteResponse> {
      if (!isLoopbackAddress(request.clientIp) || request.headers.get(ADMIN_HEADER) !== '1') {
        throw new ForbiddenError(`Local admin routes answer only this machine's tools (${ADMIN_HEADER}: 1).`);
      }
      return {
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
        body: JSON.stringify(await handle(request)),
      };
    },
  };
}
