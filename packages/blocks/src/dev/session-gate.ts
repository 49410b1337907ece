/**
 * Local mode only: a call whose Bearer token the local pool issued is
 * refused with 401 once that sign-in is gone (the user was deleted or
 * disabled in the console, or signed out everywhere), instead of working
 * until the token expires. The developer sees the app react on its next
 * call, which is what deleting a user in the console should look like.
 *
 * This only ever refuses more: the Blocks' own CognitoVerifier still checks
 * every token. (Deployed, Cognito ID tokens stay valid until they expire
 * whatever happens to the user; see README "Local development".)
 */
import { randomUUID } from 'node:crypto';
import { rpcCodeForStatus } from '../core/errors.js';
import { isJsonObject, safeJsonParse } from '../core/safe-json.js';
import { ROUTES_PREFIX } from '../core/routes.js';
import type { LocalUserPool } from '../local/user-pool/index.js';
import { API_PATH } from '../rpc/protocol.js';
import { responseHeaders } from '../rpc/responses.js';
import { pathOf, readBody, toHeaders, writeResponse, type ConnectMiddleware, type ExchangeObserver } from '../transports/node.js';

// The verifier's own generic answer, word for word: the gate reads claims
// before any signature check, so its refusal must tell a forged token nothing
// the verifier would not (tests/security/token-attacks.test.ts).
const MESSAGE = 'Unauthorized';

interface PoolClaims {
  readonly sub: string;
  readonly originJti: string;
}

/** The `sub` and `origin_jti` of a Bearer token this pool issued; undefined for any other. */
function claimsFor(pool: LocalUserPool, authorization: string | undefined): PoolClaims | undefined {
  const payload = /^Bearer\s+[^.\s]+\.([^.\s]+)\.[^.\s]*$/i.exec(authorization ?? '')?.[1];
  if (!payload) return undefined;
  const claims = safeJsonParse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (!isJsonObject(claims) || claims.iss !== pool.issuer || typeof claims.sub !== 'string' || typeof claims.origin_jti !== 'string') return undefined;
  return { sub: claims.sub, originJti: claims.origin_jti };
}

function rpcIdOf(body: Uint8Array): string | number | null {
  const message = safeJsonParse(new TextDecoder().decode(body));
  const id = isJsonObject(message) ? message.id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

// How long a sign-in found live is trusted without asking the pool again:
// the look-up reads two files, too much for every call of a busy dev server.
const LIVE_FOR_MS = 1000;
const MAX_REMEMBERED = 1000;

export interface SessionGate {
  readonly middleware: ConnectMiddleware;
  /** Drops what it remembers (the console calls it after changing a user), so the change applies on the next call. */
  forget(): void;
}

export function sessionGate(pool: () => LocalUserPool | undefined, observer?: ExchangeObserver): SessionGate {
  const live = new Map<string, number>();

  async function isLive(current: LocalUserPool, claims: PoolClaims): Promise<boolean> {
    const key = `${claims.sub}/${claims.originJti}`;
    const until = live.get(key);
    if (until !== undefined && until > Date.now()) return true;
    if (!(await current.isSessionLive(claims))) {
      live.delete(key);
      return false;
    }
    if (live.size >= MAX_REMEMBERED) live.clear();
    live.set(key, Date.now() + LIVE_FOR_MS);
    return true;
  }

  async function gate(req: Parameters<ConnectMiddleware>[0], res: Parameters<ConnectMiddleware>[1], next: () => void): Promise<void> {
    const current = pool();
    const path = pathOf(req);
    const claims = current && path.startsWith(ROUTES_PREFIX) ? claimsFor(current, req.headers.authorization) : undefined;
    if (!current || !claims || (await isLive(current, claims))) return next();
    const startedAt = Date.now();
    const requestId = randomUUID();
    const isRpc = path === API_PATH;
    const { body: requestBody } = isRpc ? await readBody(req, 1024 * 1024) : { body: undefined };
    const body = JSON.stringify(
      isRpc
        ? { jsonrpc: '2.0', id: requestBody ? rpcIdOf(requestBody) : null, error: { code: rpcCodeForStatus(401), message: MESSAGE, data: { status: 401, name: 'UnauthorizedError' } } }
        : { name: 'UnauthorizedError', message: MESSAGE },
    );
    const headers = responseHeaders(requestId);
    headers.set('www-authenticate', 'Bearer error="invalid_token"');
    // A route's body was not read: the connection cannot carry another request.
    writeResponse(res, { status: 401, headers, body }, !isRpc);
    observer?.({
      kind: isRpc ? 'rpc' : 'route',
      method: req.method ?? 'GET',
      path,
      headers: toHeaders(req.headers),
      requestBody,
      status: 401,
      responseHeaders: headers,
      responseBody: body,
      startedAt,
      durationMs: Date.now() - startedAt,
    });
  }
  return {
    middleware: (req, res, next) => {
      gate(req, res, next).catch(next);
    },
    forget: () => live.clear(),
  };
}
