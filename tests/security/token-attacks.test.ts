/**
 * Token attacks, end to end: each forged, stale, misdirected or malformed
 * token is sent to the sample app's `account.me` and must get 401 with the
 * generic body, never 500 and never a hint. The same matrix runs against
 * both issuers the app meets:
 *
 * - a Cognito-style issuer (the JWKS fixture), through the in-process
 *   dispatcher, twice: configured with `COGNITO_ISSUER` as the local pool and
 *   every harness are (aws-jwt-verify's `JwtVerifier`), and configured as the
 *   deployed Lambda is, with the pool id alone (`CognitoJwtVerifier`, keys
 *   from the stubbed `https://cognito-idp.<region>.amazonaws.com/<pool>` JWKS URL);
 * - the local user pool, through `startBlocksDevServer` over HTTP, exactly as
 *   `npm run dev` serves it, with real tokens from the pool's own sign-in.
 *
 * The verifier's unit tests (auth/cognito-verifier.test.ts) check each
 * rejection reason; this file checks what reaches the client.
 */
import { createPublicKey, createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  accessTokenClaims,
  cognitoIssuer,
  startJwksFixture,
  type Claims,
  type JwksFixture,
  type MintOptions,
} from 'blocks-kit/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBlocksDevServer, type BlocksDevServer } from '../../packages/blocks/src/dev/server.js';
import { createLocalUserPool } from '../../packages/blocks/src/local/user-pool/index.js';
import {
  expectWellFormed,
  GENERIC_UNAUTHORIZED,
  projectRoot,
  SAMPLE_CLIENT_ID,
  startSampleApp,
  type SampleApp,
  type WireResponse,
} from './helpers.js';

/** What an attacker can start from, for one issuer. */
interface AttackSurface {
  /** A valid ID token of the victim and the matching access token. */
  readonly idToken: string;
  readonly accessToken: string;
  /** Signs with the issuer's real private key and kid (an authentic token that says the wrong thing). */
  sign(claims: Claims, options?: MintOptions): string;
  /** The issuer's public key: what an algorithm-confusion attack uses as an HMAC secret. */
  readonly publicKeyPem: string;
  /** Valid tokens of other pools, by label. */
  readonly foreign: ReadonlyArray<readonly [string, string]>;
  /** Keys and a JWKS URL the attacker controls. */
  readonly attacker: JwksFixture;
  me(headers: Record<string, string>): Promise<WireResponse>;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);

function decode(token: string): { header: Claims; claims: Claims; parts: string[] } {
  const parts = token.split('.');
  const part = (index: number): Claims => JSON.parse(Buffer.from(parts[index] ?? '', 'base64url').toString('utf8')) as Claims;
  return { header: part(0), claims: part(1), parts };
}

function without(claims: Claims, name: string): Claims {
  const copy = { ...claims };
  delete copy[name];
  return copy;
}

function unsigned(surface: AttackSurface, alg: string): string {
  const { header, claims } = decode(surface.idToken);
  return `${b64({ ...header, alg })}.${b64(claims)}.`;
}

/** Swaps the payload of a real token, keeping its (now wrong) signature. */
function tampered(surface: AttackSurface, change: (claims: Claims) => Claims): string {
  const { claims, parts } = decode(surface.idToken);
  return `${parts[0]}.${b64(change(claims))}.${parts[2]}`;
}

function resigned(surface: AttackSurface, change: (claims: Claims) => Claims, options?: MintOptions): string {
  return surface.sign(change(decode(surface.idToken).claims), options);
}

type Attack = readonly [name: string, authorization: (surface: AttackSurface) => string | undefined];

const bearer = (token: string): string => `Bearer ${token}`;

/** Every attack yields an Authorization header value (undefined: none sent). */
const ATTACKS: readonly Attack[] = [
  ['no Authorization header', () => undefined],
  ['the Basic scheme', () => `Basic ${Buffer.from('alice@example.com:Passw0rd!').toString('base64')}`],
  ['a valid token under another scheme', (s) => `Token ${s.idToken}`],
  ['a valid token with no scheme', (s) => s.idToken],
  ['"Bearer" glued to a valid token', (s) => `Bearer${s.idToken}`],
  ['two tokens', (s) => `Bearer ${s.idToken} ${s.idToken}`],
  ['an empty token', () => 'Bearer '],
  ['garbage', () => bearer('garbage')],
  ['three empty segments', () => bearer('..')],
  ['a token past the length cap', () => bearer('a'.repeat(20_000))],
  ['alg "none"', (s) => bearer(unsigned(s, 'none'))],
  ['alg "None"', (s) => bearer(unsigned(s, 'None'))],
  ['HS256 signed with the public key', (s) => bearer(resigned(s, (c) => c, { alg: 'HS256', key: s.publicKeyPem }))],
  ['RS512 with the real key', (s) => bearer(resigned(s, (c) => c, { alg: 'RS512' }))],
  ['an unknown kid', (s) => bearer(resigned(s, (c) => c, { kid: 'no-such-key' }))],
  ['no kid', (s) => bearer(resigned(s, (c) => c, { header: { kid: undefined } }))],
  ['a tampered sub', (s) => bearer(tampered(s, (c) => ({ ...c, sub: 'someone-else' })))],
  ['a tampered group list', (s) => bearer(tampered(s, (c) => ({ ...c, 'cognito:groups': ['admins'] })))],
  ['a stripped signature', (s) => bearer(`${s.idToken.split('.').slice(0, 2).join('.')}.`)],
  ['no signature segment', (s) => bearer(s.idToken.split('.').slice(0, 2).join('.'))],
  ['another key under the real kid', (s) => bearer(s.attacker.mintToken(decode(s.idToken).claims, { kid: decode(s.idToken).header.kid as string }))],
  [
    'jku/jwk headers pointing at the attacker’s keys',
    (s) => bearer(s.attacker.mintToken(decode(s.idToken).claims, { header: { jku: s.attacker.jwksUri, jwk: s.attacker.jwks().keys[0] } })),
  ],
  ['expired an hour ago', (s) => bearer(resigned(s, (c) => ({ ...c, iat: now() - 7200, auth_time: now() - 7200, exp: now() - 3600 })))],
  ['expired five seconds ago', (s) => bearer(resigned(s, (c) => ({ ...c, exp: now() - 5 })))],
  ['not valid for another hour (nbf)', (s) => bearer(resigned(s, (c) => ({ ...c, nbf: now() + 3600 })))],
  ['no exp', (s) => bearer(resigned(s, (c) => without(c, 'exp')))],
  ['no sub', (s) => bearer(resigned(s, (c) => without(c, 'sub')))],
  ['the wrong issuer', (s) => bearer(resigned(s, (c) => ({ ...c, iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other' })))],
  ['the issuer with a trailing slash', (s) => bearer(resigned(s, (c) => ({ ...c, iss: `${String(c.iss)}/` })))],
  ['the wrong audience (another app client)', (s) => bearer(resigned(s, (c) => ({ ...c, aud: 'another-client' })))],
  ['no audience', (s) => bearer(resigned(s, (c) => without(c, 'aud')))],
  ['an ID token claiming token_use "access"', (s) => bearer(resigned(s, (c) => ({ ...c, token_use: 'access' })))],
  ['an access token where an ID token is required', (s) => bearer(s.accessToken)],
];

/** Runs the whole matrix against one issuer (registered as one test per attack). */
function describeAttacks(surface: () => AttackSurface): void {
  it('accepts the genuine ID token (so every 401 below is the attack’s doing)', async () => {
    const response = await surface().me({ authorization: bearer(surface().idToken) });
    const body = expectWellFormed(response);
    expect(response.status, response.body).toBe(200);
    expect((body.result as { sub: string }).sub).toBe(decode(surface().idToken).claims.sub);
  });

  it.each(ATTACKS)('answers %s with the generic 401', async (_name, authorization) => {
    const header = authorization(surface());
    const response = await surface().me(header === undefined ? {} : { authorization: header });
    // Over HTTP, Node refuses a header this big itself (431, empty body) before the app sees it.
    if (response.status === 431 && (header?.length ?? 0) > 16_000) return expect(response.body).toBe('');
    const body = expectWellFormed(response);
    expect(response.status).toBe(401);
    expect(body.error).toEqual(GENERIC_UNAUTHORIZED);
  });

  it('answers valid tokens of other pools with the generic 401', async () => {
    expect(surface().foreign.length).toBeGreaterThan(0);
    for (const [label, token] of surface().foreign) {
      const response = await surface().me({ authorization: bearer(token) });
      const body = expectWellFormed(response);
      expect({ label, status: response.status, error: body.error }).toEqual({ label, status: 401, error: GENERIC_UNAUTHORIZED });
    }
  });
}

let attacker: JwksFixture;
let otherPool: JwksFixture;

beforeAll(async () => {
  [attacker, otherPool] = await Promise.all([startJwksFixture({ poolId: 'attacker_pool' }), startJwksFixture({ poolId: 'other_pool' })]);
  // Rejections are logged at debug level; keep the run readable.
  vi.spyOn(console, 'debug').mockImplementation(() => undefined);
  vi.spyOn(console, 'info').mockImplementation(() => undefined);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([attacker?.close(), otherPool?.close()]);
});

const VERIFIER_CONFIGURATIONS = [
  { name: 'configured with COGNITO_ISSUER (local pool, harnesses)', deployedPoolId: undefined },
  { name: 'configured with the pool id only (deployed)', deployedPoolId: 'us-east-1_SecuritySuite' },
] as const;

describe.each(VERIFIER_CONFIGURATIONS)('against a Cognito-style issuer $name, through the dispatcher', ({ deployedPoolId }) => {
  let app: SampleApp;
  let surface: AttackSurface;

  beforeAll(async () => {
    app = await startSampleApp(deployedPoolId === undefined ? {} : { deployedPoolId });
    const { jwks } = app;
    surface = {
      idToken: app.idToken('victim-sub'),
      accessToken: jwks.mintToken(accessTokenClaims({ issuer: app.issuer, clientId: SAMPLE_CLIENT_ID, sub: 'victim-sub' })),
      sign: (claims, options) => jwks.mintToken(claims, options),
      publicKeyPem: jwks.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
      foreign: [
        ['another pool’s ID token for this client id', otherPool.mintToken({ ...decode(app.idToken('victim-sub')).claims, iss: otherPool.issuer })],
        [
          'this pool’s key under the other configuration’s issuer',
          jwks.mintToken({ ...decode(app.idToken('victim-sub')).claims, iss: deployedPoolId === undefined ? cognitoIssuer('us-east-1_SecuritySuite') : jwks.issuer }),
        ],
      ],
      attacker,
      async me(headers) {
        return app.dispatcher.handle({
          method: 'POST',
          headers: new Headers({ 'content-type': 'application/json', ...headers }),
          body: new TextEncoder().encode(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'account.me' })),
        });
      },
    };
  });

  afterAll(async () => {
    await app?.close();
  });

  describeAttacks(() => surface);

  it('never answered 500', () => {
    expect(app.serverErrors).toEqual([]);
  });
});

describe('against the local user pool, through startBlocksDevServer over HTTP', () => {
  const email = 'victim@example.com';
  const password = 'Passw0rd!victim';
  let server: BlocksDevServer;
  let dataDir: string;
  let otherDataDir: string;
  let surface: AttackSurface;
  const saved = { ...process.env };

  /** One Cognito JSON-protocol call to the pool the dev server mounts. */
  async function cognito(operation: string, body: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${server.url}/local-cognito`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` },
      body: JSON.stringify({ ClientId: server.userPool!.clientId, ...body }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function signIn(): Promise<{ IdToken: string; AccessToken: string; RefreshToken: string }> {
    const result = await cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } });
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    return result.body.AuthenticationResult as { IdToken: string; AccessToken: string; RefreshToken: string };
  }

  /** Presented to the API instead of an ID token, the dead refresh token opens nothing either. */
  async function expectGeneric401(token: string): Promise<void> {
    const response = await surface.me({ authorization: bearer(token) });
    expect({ status: response.status, error: expectWellFormed(response).error }).toEqual({ status: 401, error: GENERIC_UNAUTHORIZED });
  }

  async function refresh(refreshToken: string): Promise<{ status: number; type: unknown }> {
    const result = await cognito('InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } });
    return { status: result.status, type: result.body.__type };
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-token-attacks-'));
    otherDataDir = await mkdtemp(path.join(tmpdir(), 'blocks-token-attacks-other-'));
    Object.assign(process.env, { BLOCKS_DATA_DIR: dataDir, BLOCKS_MODE: 'local' });
    server = await startBlocksDevServer({ root: projectRoot });
    const pool = server.userPool!;
    await pool.adminCreateUser({ email, password });
    const tokens = await signIn();

    const stored = JSON.parse(await readFile(path.join(pool.directory, 'signing-key.json'), 'utf8')) as { privateKeyPem: string };
    const privateKey: KeyObject = createPrivateKey(stored.privateKeyPem);
    const kid = decode(tokens.IdToken).header.kid as string;

    // Two more local pools on the same origin: one with its own pool id, one
    // impersonating this pool's id (same issuer) with a key of its own.
    const foreignPool = (userPoolId: string, dir: string) =>
      createLocalUserPool({ dataDir: dir, issuerBaseUrl: `${server.url}/local-cognito`, userPoolId, clientId: pool.clientId, onCode: () => undefined, rateLimit: false });
    const foreign: Array<readonly [string, string]> = [];
    for (const [label, userPoolId, dir] of [
      ['another local pool’s ID token', 'local_other', otherDataDir],
      ['an ID token from a pool with this pool’s issuer but its own key', pool.userPoolId, path.join(otherDataDir, 'twin')],
    ] as const) {
      const other = foreignPool(userPoolId, dir);
      await other.adminCreateUser({ email, password });
      const result = await other.handle({
        target: 'InitiateAuth',
        body: { ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } },
      });
      foreign.push([label, (result.body as { AuthenticationResult: { IdToken: string } }).AuthenticationResult.IdToken]);
    }
    const claims = decode(tokens.IdToken).claims;
    foreign.push(['a Cognito-style pool’s token for this client id', otherPool.mintToken({ ...claims, iss: otherPool.issuer })]);
    foreign.push(['a Cognito-style pool’s key claiming this issuer', otherPool.mintToken(claims)]);

    surface = {
      idToken: tokens.IdToken,
      accessToken: tokens.AccessToken,
      sign: (claims, options) => attacker.mintToken(claims, { key: privateKey, kid, ...options }),
      publicKeyPem: createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString(),
      foreign,
      attacker,
      async me(headers) {
        const response = await fetch(server.apiUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'account.me' }),
        });
        return { status: response.status, headers: response.headers, body: await response.text() };
      },
    };
  });

  afterAll(async () => {
    await server?.close();
    process.env = saved;
    await rm(dataDir, { recursive: true, force: true });
    await rm(otherDataDir, { recursive: true, force: true });
  });

  describeAttacks(() => surface);

  it('refuses a refresh token after RevokeToken (Amplify signOut) with NotAuthorizedException', async () => {
    const { RefreshToken } = await signIn();
    expect((await refresh(RefreshToken)).status).toBe(200);
    expect((await cognito('RevokeToken', { Token: RefreshToken })).status).toBe(200);
    expect(await refresh(RefreshToken)).toEqual({ status: 400, type: 'NotAuthorizedException' });
    await expectGeneric401(RefreshToken);
  });

  it('refuses every session’s refresh token and access token after GlobalSignOut', async () => {
    const first = await signIn();
    const second = await signIn();
    expect((await cognito('GlobalSignOut', { AccessToken: first.AccessToken })).status).toBe(200);
    for (const session of [first, second]) {
      expect(await refresh(session.RefreshToken)).toEqual({ status: 400, type: 'NotAuthorizedException' });
      await expectGeneric401(session.RefreshToken);
      const getUser = await cognito('GetUser', { AccessToken: session.AccessToken });
      expect({ status: getUser.status, type: getUser.body.__type }).toEqual({ status: 400, type: 'NotAuthorizedException' });
    }
    // A new sign-in still works: signing out is not locking out.
    expect((await refresh((await signIn()).RefreshToken)).status).toBe(200);
  });
});
