/**
 * Test helper: a throwaway identity provider. It owns an RSA key pair, serves
 * the public half as a JWKS over plain http on 127.0.0.1 (counting requests,
 * so tests can prove caching), and mints Cognito-shaped JWTs — including
 * deliberately broken ones (`alg: none`, HS256 with the public key, foreign
 * keys), which is why signing is done here by hand rather than with a library
 * that would refuse to produce them.
 */
import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import http, { createServer, type ClientRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { cognitoIssuer } from '../auth/cognito-verifier.js';

export type Claims = Record<string, unknown>;

/** Algorithms the fixture can produce; only RS256 should ever be accepted. */
export type MintAlgorithm = 'RS256' | 'RS384' | 'RS512' | 'HS256' | 'none';

export interface MintOptions {
  /** `kid` header; defaults to the fixture's key id. */
  kid?: string;
  /** Signing algorithm, also written to the header; defaults to RS256. */
  alg?: MintAlgorithm;
  /** Private key for RS*, secret for HS256; defaults to the fixture's private key. */
  key?: KeyObject | string | Buffer;
  /** Extra header fields, applied last (can override `alg` / `kid` without changing how it is signed). */
  header?: Record<string, unknown>;
}

export interface RsaKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateRsaKeyPair(): RsaKeyPair {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const JWKS_PATH_SUFFIX = '/.well-known/jwks.json';
/** Taken at import, before any test replaces it, so the routed `get` can fall back without calling itself. */
const ORIGINAL_HTTPS_GET = https.get;

function base64url(input: string | Buffer): string {
  return Buffer.from(input).toString('base64url');
}

const RSA_HASH: Record<'RS256' | 'RS384' | 'RS512', string> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
};

function signingInputSignature(input: string, alg: MintAlgorithm, key: KeyObject | string | Buffer): string {
  if (alg === 'none') return '';
  if (alg === 'HS256') return createHmac('sha256', key).update(input).digest('base64url');
  return sign(RSA_HASH[alg], Buffer.from(input), key).toString('base64url');
}

export interface JwksFixtureOptions {
  /** Path segment after the origin in the issuer; defaults to `local_pool`. */
  poolId?: string;
  /**
   * Whether the JWK names its algorithm (Cognito's does). `false` mimics
   * providers that omit it, where only the verifier's own algorithm pin
   * stops a token signed with another algorithm of the same key.
   */
  publishAlg?: boolean;
}

export class JwksFixture {
  readonly kid: string = `test-key-${randomUUID()}`;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly poolId: string;
  readonly #publishAlg: boolean;

  #server: Server | undefined;
  #port = 0;
  #jwksRequests = 0;
  #failStatus: number | undefined;

  constructor(options: JwksFixtureOptions = {}) {
    const pair = generateRsaKeyPair();
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.poolId = options.poolId ?? 'local_pool';
    this.#publishAlg = options.publishAlg ?? true;
  }

  get port(): number {
    if (!this.#server) throw new Error('JwksFixture is not started');
    return this.#port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `http://127.0.0.1:<port>/<poolId>`, the `iss` of tokens from this fixture. */
  get issuer(): string {
    return `${this.origin}/${this.poolId}`;
  }

  get jwksUri(): string {
    return `${this.issuer}${JWKS_PATH_SUFFIX}`;
  }

  /**
   * The variables the dev server and the Lambda give an app whose verifier
   * should trust this fixture: its pool, the app client, and its issuer and
   * JWKS URI (a loopback issuer needs both).
   */
  verifierEnvironment(clientId: string): Record<string, string> {
    return { COGNITO_USER_POOL_ID: this.poolId, COGNITO_CLIENT_ID: clientId, COGNITO_ISSUER: this.issuer, COGNITO_JWKS_URI: this.jwksUri };
  }

  /** How many times the JWKS has been requested since start (or the last reset). */
  get jwksRequests(): number {
    return this.#jwksRequests;
  }

  resetJwksRequests(): void {
    this.#jwksRequests = 0;
  }

  /** Make JWKS requests answer with this status (e.g. 500) until called with `undefined`. */
  failJwksWith(status: number | undefined): void {
    this.#failStatus = status;
  }

  /** The public JWKS, shaped like Cognito's (`alg`, `use`, `kid`, `kty`, `n`, `e`). */
  jwks(): { keys: Claims[] } {
    const { n, e, kty } = this.publicKey.export({ format: 'jwk' });
    const alg = this.#publishAlg ? { alg: 'RS256' } : {};
    return { keys: [{ kid: this.kid, ...alg, use: 'sig', kty, n, e }] };
  }

  /**
   * An `https.get` that serves this fixture's keys at the JWKS URL of a real
   * Cognito pool, `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`,
   * so the deployed verifier (pool id only, no `COGNITO_ISSUER`) can be tested
   * without the network. That URL is answered by this fixture's own loopback
   * server over a real connection (so it counts requests and honours
   * `failJwksWith` like the http endpoint); every other request goes to
   * `fallback`, by default the `https.get` Node started with. Install it with
   * `vi.spyOn(https, 'get').mockImplementation(fx.cognitoHttpsGet(poolId))`
   * (`import https from 'node:https'`); the fixture must be started.
   */
  cognitoHttpsGet(userPoolId: string, fallback: typeof https.get = ORIGINAL_HTTPS_GET): typeof https.get {
    const served = `${cognitoIssuer(userPoolId)}${JWKS_PATH_SUFFIX}`;
    const routed = (input: unknown, ...rest: unknown[]): ClientRequest => {
      const url = typeof input === 'string' || input instanceof URL ? String(input) : undefined;
      if (url !== served) return Reflect.apply(fallback, https, [input, ...rest]) as ClientRequest;
      if (!this.#server) throw new Error('JwksFixture.cognitoHttpsGet: start() the fixture first');
      return Reflect.apply(http.get, http, [`http://127.0.0.1:${this.#port}/${this.poolId}${JWKS_PATH_SUFFIX}`, ...rest]) as ClientRequest;
    };
    // One function serves every overload of `https.get`: it only reads the URL and passes the rest on.
    return routed as unknown as typeof https.get;
  }

  async start(): Promise<this> {
    if (this.#server) return this;
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  async close(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    // fetch keeps connections alive; without this close() waits for them to idle out.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }

  mintToken(claims: Claims, options: MintOptions = {}): string {
    const alg = options.alg ?? 'RS256';
    const header = { kid: options.kid ?? this.kid, alg, ...options.header };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${input}.${signingInputSignature(input, alg, options.key ?? this.privateKey)}`;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://fixture').pathname;
    if (req.method !== 'GET' || !path.endsWith(JWKS_PATH_SUFFIX)) {
      res.writeHead(404).end();
      return;
    }
    this.#jwksRequests += 1;
    if (this.#failStatus !== undefined) {
      res.writeHead(this.#failStatus, { 'content-type': 'application/json' }).end('{"message":"unavailable"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks()));
  }
}

/** Creates and starts a fixture; remember to `close()` it (e.g. in `afterAll`). */
export function startJwksFixture(options: JwksFixtureOptions = {}): Promise<JwksFixture> {
  return new JwksFixture(options).start();
}

export interface TokenClaimsParams {
  issuer: string;
  clientId: string;
  sub?: string;
  username?: string;
  email?: string;
  groups?: string[];
  /** Seconds since the epoch used for `iat` / `auth_time`; defaults to now. */
  now?: number;
  /** Token lifetime in seconds; defaults to one hour like Cognito. */
  ttlSeconds?: number;
}

function commonClaims(p: TokenClaimsParams): Claims {
  const now = p.now ?? Math.floor(Date.now() / 1000);
  const claims: Claims = {
    sub: p.sub ?? randomUUID(),
    iss: p.issuer,
    origin_jti: randomUUID(),
    event_id: randomUUID(),
    auth_time: now,
    iat: now,
    exp: now + (p.ttlSeconds ?? 3600),
    jti: randomUUID(),
  };
  // Cognito omits the claim entirely for users in no group.
  if (p.groups && p.groups.length > 0) claims['cognito:groups'] = [...p.groups];
  return claims;
}

/** Claims of a Cognito ID token (`aud` = client id, `cognito:username`). */
export function idTokenClaims(p: TokenClaimsParams): Claims {
  const claims: Claims = {
    ...commonClaims(p),
    aud: p.clientId,
    token_use: 'id',
    'cognito:username': p.username ?? 'alice',
  };
  if (p.email !== undefined) {
    claims.email = p.email;
    claims.email_verified = true;
  }
  return claims;
}

/** Claims of a Cognito access token (`client_id`, `username`, no `aud`). */
export function accessTokenClaims(p: TokenClaimsParams): Claims {
  return {
    ...commonClaims(p),
    client_id: p.clientId,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    version: 2,
    username: p.username ?? 'alice',
  };
}
