import type { ApiMethods, ApiNamespace } from '../core/api-namespace.js';

/**
 * What a value becomes after a JSON round trip: dates turn into strings,
 * functions and undefined properties disappear.
 */
export type Jsonified<T> = T extends { toJSON(): infer J }
  ? Jsonified<J>
  : T extends string | number | boolean | null
    ? T
    : T extends undefined | ((...args: never[]) => unknown) | symbol
      ? never
      : T extends readonly (infer Item)[]
        ? Jsonified<Item>[]
        : T extends object
          ? { [K in keyof T as Jsonified<T[K]> extends never ? never : K]: Jsonified<T[K]> }
          : never;

export type ClientMethod<F> = F extends (...args: infer Args) => infer Result
  ? (...args: Args) => Promise<Jsonified<Awaited<Result>>>
  : never;

export type NamespaceClient<M extends ApiMethods> = { readonly [K in keyof M & string]: ClientMethod<M[K]> };

/**
 * The client shape of an app module: one property per exported ApiNamespace.
 * Built from `typeof import('../aws-blocks')` — a type-only import, so no
 * server code reaches the browser bundle.
 */
export type BlocksClient<App> = {
  readonly [K in keyof App as App[K] extends ApiNamespace<infer _M> ? K : never]: App[K] extends ApiNamespace<
    infer M
  >
    ? NamespaceClient<M>
    : never;
};

/** One outgoing call, as middleware sees and may change it. */
export interface BlocksRequest {
  readonly url: string;
  /** `exportName.method` being called. */
  readonly method: string;
  readonly headers: Headers;
  readonly body: string;
  readonly signal: AbortSignal | undefined;
}

export type Middleware = (request: BlocksRequest, next: (request: BlocksRequest) => Promise<Response>) => Promise<Response>;

export interface ClientOptions {
  /** The API endpoint; or pass `outputs` to read `custom.blocks_api_url` from amplify_outputs.json. */
  readonly url?: string;
  readonly outputs?: { readonly custom?: { readonly blocks_api_url?: unknown } };
  /** Run in order around every call, e.g. to attach `Authorization`. */
  readonly middleware?: readonly Middleware[];
  /** `include` when the API is on another origin and uses cookies (AuthBasic). */
  readonly credentials?: RequestCredentials;
  readonly fetch?: typeof fetch;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
  readonly headers?: Readonly<Record<string, string>>;
}
