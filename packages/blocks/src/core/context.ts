import type { SerializeOptions } from 'cookie';

export type CookieOptions = SerializeOptions;

/** Request cookies in, `Set-Cookie` headers out (one header per cookie). */
export interface CookieJar {
  get(name: string): string | undefined;
  set(name: string, value: string, options?: CookieOptions): void;
  /** Expires the cookie on the client; pass the same path/domain it was set with. */
  delete(name: string, options?: CookieOptions): void;
}

/** What a Block method sees of the HTTP request it serves. */
export interface RequestContext {
  /** Unique per request; the same id appears in server logs and in 500 responses. */
  readonly requestId: string;
  /** The called method, as `exportName.method`. */
  readonly method: string;
  /**
   * Request headers (case-insensitive `get`). The `Headers` interface, backed
   * by the kit's own map rather than Node's fetch library, which would cost a
   * cold start tens of milliseconds to load: everything but
   * `instanceof Headers` behaves as WHATWG `Headers` does.
   */
  readonly headers: Headers;
  /** Extra response headers (the same `Headers` interface); use `cookies` for `Set-Cookie`. */
  readonly responseHeaders: Headers;
  readonly cookies: CookieJar;
  /**
   * The caller's address as the transport saw it: the TCP peer locally, API
   * Gateway's `sourceIp` when deployed. Never read from `X-Forwarded-For`,
   * whose first hop the client controls. Undefined when the transport has none.
   */
  readonly clientIp?: string;
}
