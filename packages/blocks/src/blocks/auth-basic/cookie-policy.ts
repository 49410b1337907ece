/**
 * Which cookie carries the session and with what flags.
 *
 * HttpOnly (no script can read it), Secure, Path=/, and SameSite=Lax by
 * default: Lax already withholds the cookie from every cross-site request
 * except top-level GET navigations, and the Blocks API answers only POST
 * with a JSON body (which a cross-site page cannot send without a CORS
 * preflight), so Strict would protect nothing more here. `sameSite: 'none'`
 * exists for a frontend on another site than the API; it is always Secure.
 *
 * When Secure, the name carries the `__Host-` prefix, which makes browsers
 * refuse the cookie unless it is Secure, host-only and Path=/ — so a sibling
 * subdomain cannot plant or shadow a session.
 *
 * Secure is dropped in exactly one case: the runtime allows it (local mode
 * only, never in the cloud) and the request is plain http to localhost, the
 * dev server, where some browsers (Safari) and tools (curl) would otherwise
 * never send the cookie back.
 */
import type { CookieOptions } from '../../core/context.js';
import { isLoopbackHostHeader, isLoopbackUrl } from '../../core/loopback.js';

export type SameSite = 'lax' | 'strict' | 'none';

export interface CookiePolicy {
  /** Cookie name without the `__Host-` prefix. */
  readonly baseName: string;
  readonly sameSite: SameSite;
  /** Seconds; the session's lifetime. */
  readonly maxAge: number;
  /** True only in local mode. */
  readonly allowInsecureLocalhost: boolean;
}

export interface SessionCookie {
  readonly name: string;
  readonly options: CookieOptions;
}

/**
 * True when the request reached us as plain http addressed to this machine:
 * the Host is a loopback name, no proxy reports https, and the page that sent
 * it (if the browser says) is itself plain http on loopback.
 */
export function isPlainHttpLoopback(headers: Headers): boolean {
  const host = headers.get('host');
  if (host === null || !isLoopbackHostHeader(host)) return false;
  const proto = headers.get('x-forwarded-proto');
  if (proto !== null && proto.split(',').some((hop) => hop.trim().toLowerCase() !== 'http')) return false;
  const origin = headers.get('origin');
  if (origin !== null && !isLoopbackUrl(origin.trim(), { protocols: ['http:'], originOnly: true })) return false;
  return true;
}

export function sessionCookie(policy: CookiePolicy, headers: Headers): SessionCookie {
  const secure = !(policy.allowInsecureLocalhost && isPlainHttpLoopback(headers));
  // SameSite=None without Secure is refused by browsers; on plain-http loopback
  // the page and the API are same-site anyway.
  const sameSite = !secure && policy.sameSite === 'none' ? 'lax' : policy.sameSite;
  return {
    name: secure ? `__Host-${policy.baseName}` : policy.baseName,
    options: { httpOnly: true, secure, sameSite, path: '/', maxAge: policy.maxAge },
  };
}
