/**
 * Who may use the console: this machine only, and only the console's own
 * page. The dev server is reachable by every page the developer visits
 * (a form or `fetch` to http://localhost:5173 works from any site), and the
 * console can read codes and change users and data, so each request must
 * prove it comes from the console page itself:
 *
 * - the TCP peer is loopback (someone on the network never gets it, even
 *   with `--host`);
 * - `Host` names this machine (a DNS-rebound name does not);
 * - `Origin`, when sent, is this very origin; `Sec-Fetch-Site`, when sent,
 *   is `same-origin` (or `none` for a typed address, page only);
 * - API calls carry `x-blocks-console: 1`, a header a cross-site form
 *   cannot set and a cross-origin `fetch` can only set after a CORS
 *   preflight, which the console never grants; a POST's body is JSON.
 */
import type { IncomingMessage } from 'node:http';
import { isLoopbackAddress, isLoopbackHostHeader } from '../../core/loopback.js';

export const CONSOLE_HEADER = 'x-blocks-console';

export type GuardVerdict = { readonly ok: true } | { readonly ok: false; readonly status: number; readonly message: string };

const OK: GuardVerdict = { ok: true };
const refuse = (status: number, message: string): GuardVerdict => ({ ok: false, status, message });

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function checkConsoleRequest(req: IncomingMessage, kind: 'page' | 'api'): GuardVerdict {
  if (!isLoopbackAddress(req.socket.remoteAddress)) return refuse(403, 'The Blocks console answers this machine only.');
  const host = header(req, 'host');
  if (host === undefined || !isLoopbackHostHeader(host)) return refuse(403, 'Open the Blocks console at localhost, 127.0.0.1 or [::1].');
  const origin = header(req, 'origin');
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}` && origin.toLowerCase() !== `https://${host.toLowerCase()}`) {
    return refuse(403, 'Cross-origin requests to the Blocks console are refused.');
  }
  const site = header(req, 'sec-fetch-site');
  const allowedSites = kind === 'page' ? ['same-origin', 'none'] : ['same-origin'];
  if (site !== undefined && !allowedSites.includes(site.toLowerCase())) {
    return refuse(403, kind === 'page' ? 'Open the Blocks console by typing its address; links from other sites are refused.' : 'Cross-site requests to the Blocks console are refused.');
  }
  if (kind === 'api') {
    if (header(req, CONSOLE_HEADER) !== '1') return refuse(403, `Console API calls must carry ${CONSOLE_HEADER}: 1.`);
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      const type = header(req, 'content-type')?.split(';')[0]?.trim().toLowerCase();
      if (type !== 'application/json') return refuse(415, 'Console API calls send application/json.');
    }
  }
  return OK;
}
