import type { RequestContext } from './context.js';
import type { Scope, ScopedResource } from './scope.js';

/** Any function may be an API method; its params and result must be JSON. */
// `never[]` accepts every parameter list without resorting to `any`.
export type ApiMethod = (...args: never[]) => unknown;
export type ApiMethods = { [name: string]: ApiMethod };

export type ApiFactory<M extends ApiMethods> = (context: RequestContext) => M;

/**
 * A group of RPC methods. Only the instances exported from
 * `aws-blocks/index.ts` are reachable, as `exportName.method`.
 * The factory runs once per request, so methods close over that request's
 * context (headers, cookies, the caller's identity). Build anything that does
 * not depend on the request (input schemas above all) outside it: a schema
 * built in the factory is built, and compiled by its validator, on every call.
 */
// A brand, not `instanceof`: see the note in errors.ts on duplicate module copies.
const API_NAMESPACE_BRAND = Symbol.for('blocks-kit.ApiNamespace');

export class ApiNamespace<M extends ApiMethods = ApiMethods> implements ScopedResource {
  readonly [API_NAMESPACE_BRAND] = true;
  readonly kind = 'ApiNamespace';
  readonly scope: Scope;
  readonly id: string;
  readonly #factory: ApiFactory<M>;

  constructor(scope: Scope, id: string, factory: ApiFactory<M>) {
    if (typeof factory !== 'function') {
      throw new TypeError(`ApiNamespace "${id}" needs a factory function (context) => ({ ...methods }).`);
    }
    this.scope = scope;
    this.id = id;
    this.#factory = factory;
    scope.register(this);
  }

  /** Builds this request's methods. Used by the dispatcher and by tests. */
  methodsFor(context: RequestContext): M {
    return this.#factory(context);
  }
}

/** True for any ApiNamespace, whichever copy of the kit created it. */
export function isApiNamespace(value: unknown): value is ApiNamespace {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[API_NAMESPACE_BRAND] === true
  );
}
