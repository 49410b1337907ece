/**
 * Serves the plain HTTP routes Blocks declare (core/routes.ts), with the
 * same guarantees as the JSON-RPC dispatcher: a body limit, request ids,
 * `ApiError`s answered with their status and message, and anything else a
 * 500 that carries only the request id. Both transports call it for paths
 * under `/aws-blocks/` other than the API itself.
 */
import { randomUUID } from 'node:crypto';
import { readAppModule } from '../core/app-module.js';
import { isApiError, type ApiError } from '../core/errors.js';
import { isRoutedBlock, ROUTES_PREFIX, type HttpRoute } from '../core/routes.js';
import type { Logger } from './dispatcher.js';
import { API_PATH, DEFAULT_MAX_BODY_BYTES } from './protocol.js';
import { responseHeaders, retryAfterOf } from './responses.js';
import { HeaderMap } from './header-map.js';

/** What a transport hands the router for one request. */
export interface RouteTransportRequest {
  readonly method: string;
  /** Without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  readonly requestId?: string;
  readonly clientIp?: string;
  /** Reads the whole body, stopping past `limit` bytes. */
  readBody(limit: number): Promise<{ body: Uint8Array; tooLarge: boolean }>;
  stream(): AsyncIterable<Uint8Array>;
}

export interface RouteHttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string | Uint8Array;
  /** The body was not read to its end, so the connection cannot be reused. */
  readonly closeConnection?: boolean;
}

export interface Router {
  /** Whether some route's pattern matches `path` (whatever the method). */
  has(path: string): boolean;
  handle(request: RouteTransportRequest): Promise<RouteHttpResponse>;
}

interface CompiledRoute {
  readonly route: HttpRoute;
  readonly methods: ReadonlySet<string>;
  readonly segments: readonly string[];
  /** The owner, for error messages. */
  readonly owner: string;
}

/** Pattern segments against path segments; the captured params, or undefined. */
function matchPath(segments: readonly string[], path: string): Record<string, string> | undefined {
  const parts = path.split('/').slice(1);
  const params: Record<string, string> = {};
  for (const [index, segment] of segments.entries()) {
    if (segment.startsWith('*')) {
      const rest = parts.slice(index);
      if (rest.length === 0 || rest.some((part) => part === '')) return undefined;
      params[segment.slice(1)] = decodeSegments(rest);
      return params;
    }
    const part = parts[index];
    if (part === undefined || part === '') return undefined;
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeSegments([part]);
    else if (segment !== part) return undefined;
  }
  return parts.length === segments.length ? params : undefined;
}

function decodeSegments(parts: readonly string[]): string {
  // A bad escape is the client's mistake; decodeURIComponent would throw a bare URIError.
  return parts.map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new BadPathError();
    }
  }).join('/');
}

class BadPathError extends Error {}

function compile(route: HttpRoute, owner: string): CompiledRoute {
  const { path } = route;
  if (!path.startsWith(ROUTES_PREFIX) || path === API_PATH || path.startsWith(`${API_PATH}/`)) {
    throw new TypeError(`${owner} declares the route "${path}": routes live under ${ROUTES_PREFIX}, apart from ${API_PATH}.`);
  }
  const segments = path.split('/').slice(1);
  if (segments.some((segment, index) => segment === '' || (segment.startsWith('*') && index !== segments.length - 1))) {
    throw new TypeError(`${owner} declares the route "${path}": empty segments are not allowed, and *rest only at the end.`);
  }
  const methods = new Set((typeof route.method === 'string' ? [route.method] : route.method).map((method) => method.toUpperCase()));
  return { route, methods, segments, owner };
}

function json(status: number, requestId: string, body: Record<string, unknown>): RouteHttpResponse {
  return { status, headers: responseHeaders(requestId), body: JSON.stringify(body) };
}

export function createRouter(appModule: Readonly<Record<string, unknown>>, options: { logger?: Logger } = {}): Router {
  const logger = options.logger ?? console;
  const routes: CompiledRoute[] = [];
  for (const block of readAppModule(appModule).resources) {
    if (!isRoutedBlock(block)) continue;
    const owner = `${block.kind} "${block.scope.name}/${block.id}"`;
    for (const route of block.routes()) {
      const compiled = compile(route, owner);
      const clash = routes.find((other) => other.route.path === route.path && [...compiled.methods].some((m) => other.methods.has(m)));
      if (clash) throw new TypeError(`${owner} and ${clash.owner} both serve ${route.path}.`);
      routes.push(compiled);
    }
  }

  const matching = (path: string): Array<{ compiled: CompiledRoute; params: Record<string, string> }> =>
    routes.flatMap((compiled) => {
      const params = matchPath(compiled.segments, path);
      return params ? [{ compiled, params }] : [];
    });

  async function handle(request: RouteTransportRequest): Promise<RouteHttpResponse> {
    const requestId = request.requestId ?? randomUUID();
    let candidates: ReturnType<typeof matching>;
    try {
      candidates = matching(request.path);
    } catch (error) {
      if (error instanceof BadPathError) return json(400, requestId, { name: 'BadRequestError', message: 'Malformed path' });
      throw error;
    }
    const method = request.method.toUpperCase();
    const found = candidates.find(({ compiled }) => compiled.methods.has(method) || (method === 'HEAD' && compiled.methods.has('GET')));
    if (!found) {
      if (candidates.length === 0) return json(404, requestId, { name: 'NotFoundError', message: 'Not found' });
      const allowed = [...new Set(candidates.flatMap(({ compiled }) => [...compiled.methods]))].join(', ');
      const response = json(405, requestId, { name: 'MethodNotAllowed', message: `Use ${allowed}` });
      response.headers.set('allow', allowed);
      return response;
    }
    const { route } = found.compiled;
    let body: Uint8Array = new Uint8Array();
    let streamed = false;
    if (!route.streamBody) {
      const limit = route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      const read = await request.readBody(limit);
      if (read.tooLarge) return { ...json(413, requestId, { name: 'PayloadTooLargeError', message: `Request body exceeds ${limit} bytes` }), closeConnection: true };
      body = read.body;
    } else {
      streamed = true;
    }
    try {
      const answer = await route.handle({
        method,
        path: request.path,
        params: found.params,
        query: request.query,
        headers: request.headers,
        body,
        ...(streamed && { stream: request.stream() }),
        requestId,
        ...(request.clientIp !== undefined && { clientIp: request.clientIp }),
      });
      const headers = new HeaderMap(answer.headers);
      headers.set('x-request-id', requestId);
      if (!headers.has('cache-control')) headers.set('cache-control', 'no-store');
      headers.set('x-content-type-options', 'nosniff');
      const status = answer.status ?? 200;
      return { status, headers, body: method === 'HEAD' ? '' : (answer.body ?? '') };
    } catch (error) {
      if (isApiError(error)) return apiErrorResponse(error, requestId, streamed);
      logger.error(`[blocks] request ${requestId} (${method} ${route.path}) failed:`, error);
      return { ...json(500, requestId, { name: 'InternalError', message: `Internal error (request id ${requestId})`, requestId }), closeConnection: streamed };
    }
  }

  return { has: (path) => safeHas(() => matching(path).length > 0), handle };
}

function safeHas(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    // A malformed path still belongs to the router, which answers it with 400.
    return true;
  }
}

function apiErrorResponse(error: ApiError, requestId: string, streamed: boolean): RouteHttpResponse {
  const response = json(error.status, requestId, {
    name: error.name,
    message: error.message,
    ...(error.data !== undefined && { details: error.data }),
    ...(error.status >= 500 && { requestId }),
  });
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) response.headers.set('retry-after', String(retryAfter));
  return { ...response, closeConnection: streamed };
}
