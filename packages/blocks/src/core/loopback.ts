/**
 * The one rule for "this machine", wherever the kit relaxes something for
 * local development (plain-http JWKS, cookies without Secure, CORS for the
 * local pool, http origins in the API's allowlist).
 *
 * A name in a URL or Host header is loopback only when it is one of the
 * three that every tool writes: `localhost`, `127.0.0.1`, `::1`. The rest of
 * 127.0.0.0/8 and `*.localhost` would resolve here too, but nobody needs
 * them, and each extra spelling is one more to get wrong. A socket's peer
 * address comes from the kernel, not the client, so there the whole
 * 127.0.0.0/8 counts.
 */

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);
const IPV4_LOOPBACK = /^127\.(?:\d{1,3})\.(?:\d{1,3})\.(?:\d{1,3})$/;

/** A URL's `hostname` (IPv6 in brackets or not). */
export function isLoopbackHostname(hostname: string): boolean {
  return LOOPBACK_NAMES.has(hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1'));
}

/** A socket's remote address, as Node reports it (IPv4 may arrive mapped as `::ffff:127.0.0.1`). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const unmapped = address.toLowerCase().startsWith('::ffff:') ? address.slice(7) : address;
  return unmapped === '::1' || IPV4_LOOPBACK.test(unmapped);
}

/**
 * A URL on loopback, optionally only with the given protocols, written as a
 * bare origin when `originOnly` (no path, userinfo or trailing slash: what
 * browsers send in `Origin`).
 */
export function isLoopbackUrl(text: string, { protocols, originOnly = false }: { protocols?: readonly string[]; originOnly?: boolean } = {}): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (protocols !== undefined && !protocols.includes(url.protocol)) return false;
  if (originOnly && url.origin !== text.toLowerCase()) return false;
  return isLoopbackHostname(url.hostname);
}

/** A `Host` header naming this machine: exactly a loopback name and an optional port. */
export function isLoopbackHostHeader(host: string): boolean {
  const name = HOST_HEADER.exec(host.trim())?.[1];
  return name !== undefined && isLoopbackHostname(name);
}

// A name or a bracketed IPv6 address, then an optional port: no userinfo, path or suffix.
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;
