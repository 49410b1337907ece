/**
 * What `new RawRoute(scope, id, options)` is in every runtime: a checked
 * declaration that serves one plain HTTP route through the kit's router
 * (core/routes.ts), so locally (dev server) and deployed (Lambda) it gets the
 * same body limit, request ids and error answers as the JSON-RPC API. The
 * `cdk` variant only adds the route to the HTTP API.
 */
import type { HttpRoute, RoutedBlock } from '../../core/routes.js';
import type { Scope } from '../../core/scope.js';
import { RAW_ROUTE_PREFIX, type RawMethod, type RawRouteHandler, type RawRouteOptions } from './public.js';

const METHODS: ReadonlySet<string> = new Set<RawMethod>(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
// Characters API Gateway accepts in a literal path segment, and names it accepts for {params}.
const LITERAL = /^[A-Za-z0-9._~-]+$/;
const PARAM = /^[:*][A-Za-z_][A-Za-z0-9_]*$/;

export abstract class DeclaredRawRoute implements RoutedBlock {
  readonly kind = 'RawRoute';
  readonly scope: Scope;
  readonly id: string;
  readonly methods: readonly RawMethod[];
  /** The full path served, e.g. `/aws-blocks/raw/webhooks/stripe`. */
  readonly path: string;
  readonly maxBodyBytes: number | undefined;
  readonly #handler: RawRouteHandler;

  constructor(scope: Scope, id: string, options: RawRouteOptions) {
    const owner = `RawRoute "${scope.name}/${id}"`;
    const methods = typeof options.method === 'string' ? [options.method] : [...options.method];
    const badMethod = methods.find((method) => !METHODS.has(method));
    if (methods.length === 0 || badMethod !== undefined) {
      throw new TypeError(`${owner}: method must be one or more of ${[...METHODS].join(', ')}${badMethod ? `, not "${badMethod}"` : ''}.`);
    }
    this.methods = [...new Set(methods)];
    this.path = `${RAW_ROUTE_PREFIX}${checkPath(owner, options.path)}`;
    if (options.maxBodyBytes !== undefined && !(Number.isSafeInteger(options.maxBodyBytes) && options.maxBodyBytes > 0)) {
      throw new TypeError(`${owner}: maxBodyBytes must be a positive integer.`);
    }
    if (typeof options.handler !== 'function') throw new TypeError(`${owner}: handler must be a function.`);
    this.maxBodyBytes = options.maxBodyBytes;
    this.#handler = options.handler;
    this.scope = scope;
    this.id = id;
    scope.register(this);
  }

  routes(): readonly HttpRoute[] {
    const handler = this.#handler;
    return [
      {
        method: this.methods,
        path: this.path,
        ...(this.maxBodyBytes !== undefined && { maxBodyBytes: this.maxBodyBytes }),
        handle: (request) => handler(request),
      },
    ];
  }
}

/** The path below the prefix, or a TypeError naming what is wrong with it. */
function checkPath(owner: string, path: string): string {
  const fail = (why: string): never => {
    throw new TypeError(`${owner}: path "${path}" ${why}. Example: "/webhooks/:provider" or "/files/*key".`);
  };
  if (typeof path !== 'string' || !path.startsWith('/') || path === '/') fail('must start with "/" and name at least one segment');
  const segments = path.slice(1).split('/');
  const names = new Set<string>();
  for (const [index, segment] of segments.entries()) {
    if (segment.startsWith(':') || segment.startsWith('*')) {
      if (!PARAM.test(segment)) fail(`has a bad parameter "${segment}"`);
      if (segment.startsWith('*') && index !== segments.length - 1) fail('may have *rest only as its last segment');
      if (names.has(segment.slice(1))) fail(`names "${segment.slice(1)}" twice`);
      names.add(segment.slice(1));
    } else if (!LITERAL.test(segment)) {
      fail(`has an empty or unsupported segment "${segment}" (letters, digits, ".", "_", "~", "-")`);
    }
  }
  return path;
}
