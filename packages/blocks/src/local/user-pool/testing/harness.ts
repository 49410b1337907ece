import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { userPoolMiddleware, type UserPoolMiddlewareOptions } from '../http.js';
import { isJsonObject, type JsonObject } from '../../../core/safe-json.js';
import { createLocalUserPool, type LocalUserPool, type LocalUserPoolOptions, type UserPoolResponse } from '../pool.js';
import { computeU, computeX, g, hkdf16, k, modPow, N, parseHex, passwordClaimSignature, randomBigInt } from '../srp.js';

/** Shared fixtures for the user pool's tests (not part of the module's API). */

/** The client's view of the SRP session key: the tests play the Amplify client with it. */
export function clientSessionKey(params: { a: bigint; A: bigint; B: bigint; x: bigint }): Buffer {
  const { a, A, B, x } = params;
  const u = computeU(A, B);
  let base = (B - ((k * modPow(g, x, N)) % N)) % N;
  if (base < 0n) base += N;
  const S = modPow(base, a + u * x, N);
  return hkdf16(S, u);
}


export const CLIENT_ID = 'local-blocks-client';
export const STRONG_PASSWORD = 'Passw0rd!';

let sharedKeyPem: string | undefined;

/**
 * A fresh data dir. Unless `freshKey`, it is seeded with a signing key shared
 * by the whole test file: RSA generation costs ~0.4 s, which would otherwise
 * dominate every test.
 */
export async function tempDataDir(
  options: { freshKey?: boolean } = {},
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'user-pool-test-'));
  if (!options.freshKey) {
    sharedKeyPem ??= generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    await mkdir(path.join(dir, 'user-pool'), { mode: 0o700 });
    await writeFile(
      path.join(dir, 'user-pool', 'signing-key.json'),
      JSON.stringify({ version: 1, privateKeyPem: sharedKeyPem }),
      {
        mode: 0o600,
      },
    );
  }
  // Retries: an outbox write the request did not wait for may still be adding a file (outbox.ts).
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 }) };
}

/** A controllable clock starting at a fixed instant. */
export function fakeClock(start = Date.UTC(2026, 10, 23, 2, 14, 27)): {
  now: () => number;
  advance: (ms: number) => void;
} {
  let current = start;
  return { now: () => current, advance: (ms) => (current += ms) };
}

export function testPool(dataDir: string, options: Partial<LocalUserPoolOptions> = {}): LocalUserPool {
  return createLocalUserPool({
    dataDir,
    issuerBaseUrl: 'http://localhost:5173/local-cognito',
    onCode: () => undefined,
    ...options,
  });
}

/** Calls an operation with the default client id filled in. */
export function call(
  pool: LocalUserPool,
  target: string,
  body: JsonObject,
  clientId = CLIENT_ID,
): Promise<UserPoolResponse> {
  return pool.handle({ target, body: { ClientId: clientId, ...body } });
}

export function bodyOf(response: UserPoolResponse): JsonObject {
  if (!isJsonObject(response.body)) throw new Error(`Expected a JSON object, got ${JSON.stringify(response.body)}`);
  return response.body;
}

export function errorType(response: UserPoolResponse): unknown {
  return bodyOf(response).__type;
}

/** Amplify's TIMESTAMP format: `Mon Nov 23 02:14:27 UTC 2026`, day not zero-padded. */
export function srpTimestamp(date = new Date()): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]} ${months[date.getUTCMonth()]} ${date.getUTCDate()} ${two(date.getUTCHours())}:${two(
    date.getUTCMinutes(),
  )}:${two(date.getUTCSeconds())} UTC ${date.getUTCFullYear()}`;
}

export interface SrpSignInResult {
  initiate: UserPoolResponse;
  respond?: UserPoolResponse;
  /** The final response (respond, or initiate when it failed). */
  final: UserPoolResponse;
}

/** Plays the client side of USER_SRP_AUTH, independently of Amplify. */
export async function srpSignIn(
  pool: LocalUserPool,
  username: string,
  password: string,
  tamper?: (responses: Record<string, string>) => void,
): Promise<SrpSignInResult> {
  const poolName = pool.userPoolId.split('_')[1] ?? '';
  // 256-bit client secret keeps tests fast; the Amplify test covers its 1024-bit one.
  const a = randomBigInt(32);
  const A = modPow(g, a, N);
  const initiate = await call(pool, 'InitiateAuth', {
    AuthFlow: 'USER_SRP_AUTH',
    AuthParameters: { USERNAME: username, SRP_A: A.toString(16) },
  });
  if (initiate.status !== 200) return { initiate, final: initiate };
  const params = bodyOf(initiate).ChallengeParameters;
  if (!isJsonObject(params)) throw new Error('No ChallengeParameters');
  const { SRP_B, SALT, SECRET_BLOCK, USER_ID_FOR_SRP } = params;
  if (
    typeof SRP_B !== 'string' ||
    typeof SALT !== 'string' ||
    typeof SECRET_BLOCK !== 'string' ||
    typeof USER_ID_FOR_SRP !== 'string'
  ) {
    throw new Error('Incomplete ChallengeParameters');
  }
  const B = parseHex(SRP_B);
  const salt = parseHex(SALT);
  if (B === undefined || salt === undefined) throw new Error('Bad hex in challenge');
  const key = clientSessionKey({ a, A, B, x: computeX(poolName, USER_ID_FOR_SRP, password, salt) });
  const timestamp = srpTimestamp();
  const responses: Record<string, string> = {
    USERNAME: USER_ID_FOR_SRP,
    PASSWORD_CLAIM_SECRET_BLOCK: SECRET_BLOCK,
    TIMESTAMP: timestamp,
    PASSWORD_CLAIM_SIGNATURE: passwordClaimSignature(
      key,
      poolName,
      USER_ID_FOR_SRP,
      Buffer.from(SECRET_BLOCK, 'base64'),
      timestamp,
    ).toString('base64'),
  };
  tamper?.(responses);
  const respond = await call(pool, 'RespondToAuthChallenge', {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeResponses: responses,
  });
  return { initiate, respond, final: respond };
}

/** Tokens from a successful sign-in or refresh response. */
export function tokensOf(response: UserPoolResponse): { AccessToken: string; IdToken: string; RefreshToken?: string } {
  const result = bodyOf(response).AuthenticationResult;
  if (!isJsonObject(result) || typeof result.AccessToken !== 'string' || typeof result.IdToken !== 'string') {
    throw new Error(`No tokens in ${JSON.stringify(response.body)}`);
  }
  return {
    AccessToken: result.AccessToken,
    IdToken: result.IdToken,
    RefreshToken: typeof result.RefreshToken === 'string' ? result.RefreshToken : undefined,
  };
}

export function decodePayload(jwt: string): JsonObject {
  const payload: unknown = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
  if (!isJsonObject(payload)) throw new Error('JWT payload is not an object');
  return payload;
}

export interface ServedPool {
  pool: LocalUserPool;
  server: Server;
  /** `http://127.0.0.1:<port>` plus the base path. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * A pool behind a plain `node:http` server on a free 127.0.0.1 port. The
 * port is known only after listening, so the pool (whose issuer includes it)
 * is created then.
 */
export async function servePool(
  dataDir: string,
  options: Partial<LocalUserPoolOptions> & { basePath?: string; middleware?: UserPoolMiddlewareOptions } = {},
): Promise<ServedPool> {
  const route: { handler?: RequestListener } = {};
  const server = createServer((req, res) => route.handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const basePath = options.basePath ?? '';
  const pool = testPool(dataDir, { issuerBaseUrl: `http://127.0.0.1:${port}${basePath}`, ...options });
  const middleware = userPoolMiddleware(pool, options.middleware);
  route.handler = (req, res) =>
    middleware(req, res, () => {
      res.statusCode = 404;
      res.end('not the pool');
    });
  return {
    pool,
    server,
    endpoint: `http://127.0.0.1:${port}${basePath}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
