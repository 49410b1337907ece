import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackAddress, isLoopbackUrl } from '../../core/loopback.js';
import { isJsonObject } from '../../core/safe-json.js';
import type { LocalUserPool } from './pool.js';

export interface UserPoolMiddlewareOptions {
  /**
   * Path of the Cognito endpoint (what the app sets as `userPoolEndpoint`).
   * Default: the path of the pool's `issuerBaseUrl`, e.g. `/local-cognito`.
   */
  basePath?: string;
  /** Largest accepted request body; default 64 KiB (Cognito requests are a few KiB). */
  bodyLimitBytes?: number;
}

export type ConnectMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const AMZ_JSON = 'application/x-amz-json-1.1';
const DEFAULT_BODY_LIMIT = 64 * 1024;
/** What the Amplify client sends on every Cognito call (seen in its requests), plus `pragma`, which browsers add. */
const ALLOWED_HEADERS = [
  'content-type',
  'x-amz-target',
  'x-amz-user-agent',
  'cache-control',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'pragma',
].join(', ');
const isLocalOrigin = (origin: string): boolean => isLoopbackUrl(origin, { protocols: ['http:', 'https:'] });

/** CORS for localhost origins only: the pool is a development tool, not a public endpoint. */
function applyCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  res.setHeader('vary', 'Origin');
  if (!origin || !isLocalOrigin(origin)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', 'x-amzn-errortype, x-amzn-requestid');
  return true;
}

function send(res: ServerResponse, status: number, body: unknown, contentType = AMZ_JSON): void {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', contentType);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('x-amzn-requestid', randomUUID());
  if (status >= 300 && isJsonObject(body) && typeof body.__type === 'string') {
    res.setHeader('x-amzn-errortype', body.__type);
  }
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.end(payload);
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function defaultBasePath(pool: LocalUserPool): string {
  const issuerPath = new URL(pool.issuer).pathname;
  return issuerPath.slice(0, issuerPath.length - pool.userPoolId.length - 1);
}

function joinPath(base: string, suffix: string): string {
  return `${base.replace(/\/+$/, '')}/${suffix}`;
}

/**
 * Serves a local user pool over HTTP as connect/Vite middleware (or behind a
 * plain `node:http` server):
 *
 * - `POST <basePath>` with `x-amz-target: AWSCognitoIdentityProviderService.<Op>`:
 *   the Cognito JSON protocol, for `Auth.Cognito.userPoolEndpoint`;
 * - `GET <basePath>/<userPoolId>/.well-known/jwks.json`: the signing keys,
 *   at the same place relative to the issuer as Cognito's;
 * - `GET <basePath>/_local/codes?email=<address>` (or `?phone=<E.164>`):
 *   `{ email, code }` (`{ phone, code }`), the newest unused code sent to
 *   that address or number, for end-to-end tests. This
 *   endpoint exists only in the local pool (real Cognito emails codes) and
 *   answers loopback clients only.
 *
 * Works whether mounted with a path prefix (connect strips it from `req.url`
 * but keeps `req.originalUrl`) or not. Anything else is passed to `next()`.
 */
export function userPoolMiddleware(pool: LocalUserPool, options: UserPoolMiddlewareOptions = {}): ConnectMiddleware {
  const base = (options.basePath ?? defaultBasePath(pool)).replace(/\/+$/, '') || '/';
  const jwksPath = joinPath(base, `${pool.userPoolId}/.well-known/jwks.json`);
  const codesPath = joinPath(base, '_local/codes');
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;

  async function serve(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    const rawUrl = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const url = new URL(rawUrl, 'http://local.invalid');
    const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const method = req.method ?? 'GET';
    const isEndpoint = pathname === base;

    if (!isEndpoint && pathname !== jwksPath && pathname !== codesPath) return next();

    if (method === 'OPTIONS') {
      if (!applyCors(req, res)) {
        res.statusCode = 403;
        res.end();
        return;
      }
      res.statusCode = 204;
      res.setHeader('access-control-allow-methods', 'POST, GET, OPTIONS');
      res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
      res.setHeader('access-control-max-age', '600');
      res.end();
      return;
    }

    if (isEndpoint) {
      const target = req.headers['x-amz-target'];
      if (method !== 'POST' || typeof target !== 'string') return next();
      applyCors(req, res);
      let text: string;
      try {
        text = await readBody(req, limit);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        res.setHeader('connection', 'close');
        send(res, 413, { __type: 'RequestEntityTooLargeException', message: `Request body exceeds ${limit} bytes` });
        return;
      }
      const result = await pool.handle({ target, body: text });
      send(res, result.status, result.body);
      return;
    }

    if (method !== 'GET' && method !== 'HEAD') return next();
    applyCors(req, res);
    if (pathname === jwksPath) {
      send(res, 200, await pool.jwks(), 'application/json');
      return;
    }
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      send(
        res,
        403,
        { __type: 'AccessDeniedException', message: 'Local codes are only served to this machine' },
        'application/json',
      );
      return;
    }
    const email = url.searchParams.get('email') ?? '';
    const phone = url.searchParams.get('phone') ?? '';
    const code = email || phone ? await pool.lastCode(email || phone) : undefined;
    if (code === undefined) {
      send(
        res,
        404,
        { __type: 'ResourceNotFoundException', message: `No pending code for this ${email ? 'email' : 'phone number'}` },
        'application/json',
      );
      return;
    }
    send(res, 200, email ? { email, code } : { phone, code }, 'application/json');
  }

  return (req, res, next) => {
    serve(req, res, next).catch((error: unknown) => {
      console.error('[local user pool] HTTP adapter error', error);
      if (!res.headersSent) send(res, 500, { __type: 'InternalErrorException', message: 'Internal error' });
      else res.end();
    });
  };
}
