/** What every RawRoute variant exports besides the class: the shapes a handler sees and returns. */
import type { RouteRequest, RouteResponse } from '../../core/routes.js';

/** Every RawRoute is served under this prefix: `path: '/webhooks/stripe'` answers at `/aws-blocks/raw/webhooks/stripe`. */
export const RAW_ROUTE_PREFIX = '/aws-blocks/raw';

export type RawMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

/**
 * The request as received: method, decoded `:param` / `*rest` values,
 * query, headers and the raw body bytes (verify signatures over these, not
 * over re-serialised JSON).
 */
export type RawRequest = Omit<RouteRequest, 'stream'>;

/** Any status (default 200), any headers, a text or binary body. */
export type RawResponse = RouteResponse;

export type RawRouteHandler = (request: RawRequest) => RawResponse | Promise<RawResponse>;

export interface RawRouteOptions {
  /** One method or several; a GET route also answers HEAD (without a body). */
  readonly method: RawMethod | readonly RawMethod[];
  /**
   * Below `/aws-blocks/raw`, starting with `/`: literal segments, `:name`
   * for one segment, and a last `*name` for the rest of the path.
   */
  readonly path: string;
  /** Largest request body in bytes; larger ones get 413 before the handler runs. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly handler: RawRouteHandler;
}
