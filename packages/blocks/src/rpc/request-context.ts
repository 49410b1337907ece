import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { CookieJar, CookieOptions, RequestContext } from '../core/context.js';
import { HeaderMap } from './header-map.js';

// Secure by default; a Block loosens a flag explicitly when it must.
const COOKIE_DEFAULTS: CookieOptions = { path: '/', httpOnly: true, secure: true, sameSite: 'lax' };

export interface ContextOutput {
  readonly responseHeaders: Headers;
  /** One entry per `Set-Cookie` header, in the order they were set. */
  readonly setCookies: string[];
}

export function createRequestContext(
  requestId: string,
  method: string,
  headers: Headers,
  clientIp?: string,
): { context: RequestContext; output: ContextOutput } {
  let incoming: Record<string, string | undefined> | undefined;
  const setCookies: string[] = [];
  const cookies: CookieJar = {
    get(name) {
      incoming ??= parseCookies(headers.get('cookie') ?? '');
      return incoming[name];
    },
    set(name, value, options) {
      setCookies.push(serializeCookie(name, value, { ...COOKIE_DEFAULTS, ...options }));
    },
    delete(name, options) {
      setCookies.push(
        serializeCookie(name, '', { ...COOKIE_DEFAULTS, ...options, maxAge: 0, expires: new Date(0) }),
      );
    },
  };
  const responseHeaders = new HeaderMap();
  return {
    context: { requestId, method, headers, responseHeaders, cookies, ...(clientIp && { clientIp }) },
    output: { responseHeaders, setCookies },
  };
}
