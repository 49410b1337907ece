/**
 * Plain HTTP routes a Block serves next to the JSON-RPC API, under
 * `/aws-blocks/` (a webhook, a local file URL): what a Block declares and
 * what its handler sees. Transport-neutral: the Node transport (dev server)
 * and the Lambda transport both serve them through rpc/router.ts, so a route
 * behaves the same locally and deployed.
 */
import type { ScopedResource } from './scope.js';

export interface RouteRequest {
  /** Upper case: `GET`, `POST`… */
  readonly method: string;
  /** The request path, e.g. `/aws-blocks/raw/webhooks/stripe`. */
  readonly path: string;
  /** Values of the pattern's `:name` and `*name` segments, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: Headers;
  /** The raw body bytes (for signature checks); empty for a streaming route. */
  readonly body: Uint8Array;
  /** A streaming route's body, read as it arrives; absent otherwise. */
  readonly stream?: AsyncIterable<Uint8Array>;
  readonly requestId: string;
  /** The caller's address as the transport saw it. */
  readonly clientIp?: string;
}

export interface RouteResponse {
  /** Default 200. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
}

export interface HttpRoute {
  readonly method: string | readonly string[];
  /**
   * Under `/aws-blocks/`; segments match exactly, `:name` matches one
   * segment and a last `*name` the rest of the path (slashes included).
   */
  readonly path: string;
  /** Largest buffered body; default the API's (1 MiB). Ignored when streaming. */
  readonly maxBodyBytes?: number;
  /** Hand the handler the body as a stream (`request.stream`), e.g. a large upload checked as it arrives. */
  readonly streamBody?: boolean;
  handle(request: RouteRequest): Promise<RouteResponse> | RouteResponse;
}

/** A Block that serves routes: its variant for the current runtime lists them. */
export interface RoutedBlock extends ScopedResource {
  routes(): readonly HttpRoute[];
}

export function isRoutedBlock(resource: ScopedResource): resource is RoutedBlock {
  return typeof (resource as Partial<RoutedBlock>).routes === 'function';
}

/** Every Block route lives under this prefix; `/aws-blocks/api` is the JSON-RPC API's. */
export const ROUTES_PREFIX = '/aws-blocks/';
