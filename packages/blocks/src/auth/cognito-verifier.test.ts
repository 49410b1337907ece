import { createServer } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, ForbiddenError, ServiceUnavailableError, UnauthorizedError } from '../core/errors.js';
import {
  accessTokenClaims,
  generateRsaKeyPair,
  idTokenClaims,
  JwksFixture,
  startJwksFixture,
  type Claims,
  type TokenClaimsParams,
} from '../testing/jwks-fixture.js';
import {
  CognitoVerifier,
  cognitoIssuer,
  type AuthContext,
  type CognitoVerifierOptions,
  type TokenUse,
} from './cognito-verifier.js';

const CLIENT_ID = 'local-client-id';
const POOL_ID = 'local_pool';

let fx: JwksFixture;

beforeAll(async () => {
  fx = await startJwksFixture({ poolId: POOL_ID });
});
afterAll(() => fx.close());

let logged: string[] = [];

beforeEach(() => {
  // The machine running the tests must not steer them.
  vi.stubEnv('COGNITO_ISSUER', undefined);
  vi.stubEnv('COGNITO_JWKS_URI', undefined);
  vi.stubEnv('COGNITO_JWKS', undefined);
  vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', undefined);
  logged = [];
  const capture = (...args: unknown[]): void => {
    logged.push(args.map(String).join(' '));
  };
  vi.spyOn(console, 'debug').mockImplementation(capture);
  vi.spyOn(console, 'warn').mockImplementation(capture);
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  fx.failJwksWith(undefined);
});

function verifier(overrides: Partial<CognitoVerifierOptions> = {}): CognitoVerifier {
  return new CognitoVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, tokenUse: 'id', issuer: fx.issuer, ...overrides });
}

function withAuthorization(authorization?: string): AuthContext {
  return { headers: new Headers(authorization === undefined ? {} : { authorization }) };
}

const bearer = (token: string): AuthContext => withAuthorization(`Bearer ${token}`);

function claimsForIssuer(tokenUse: TokenUse, p: Partial<TokenClaimsParams> & { issuer: string }): Claims {
  const params = { clientId: CLIENT_ID, ...p };
  return tokenUse === 'id' ? idTokenClaims(params) : accessTokenClaims(params);
}

/** Claims for the configured-issuer verifier that tests outside the per-path matrix use. */
function claimsFor(tokenUse: TokenUse, p: Partial<TokenClaimsParams> = {}): Claims {
  return claimsForIssuer(tokenUse, { issuer: fx.issuer, ...p });
}

const now = (): number => Math.floor(Date.now() / 1000);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function expectUnauthorized(promise: Promise<unknown>): Promise<UnauthorizedError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(UnauthorizedError);
  const e = error as UnauthorizedError;
  expect(e.status).toBe(401);
  expect(e.message).toBe('Unauthorized');
  expect(e.data).toBeUndefined();
  return e;
}

/** Replaces one byte of the decoded payload JSON, keeping header and signature. */
function tamperPayload(token: string, from: string, to: string): string {
  const [header, payload, signature] = token.split('.');
  const json = Buffer.from(payload ?? '', 'base64url').toString('utf8');
  expect(json).toContain(from);
  return `${header}.${Buffer.from(json.replace(from, to)).toString('base64url')}.${signature}`;
}

describe('cognitoIssuer', () => {
  it('derives the regional issuer from the pool id', () => {
    expect(cognitoIssuer('us-east-1_abc')).toBe('https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc');
    expect(cognitoIssuer('eu-west-2_XyZ9')).toBe('https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_XyZ9');
  });

  it('rejects something that is not a pool id', () => {
    expect(() => cognitoIssuer('local_pool')).toThrow(TypeError);
    expect(() => cognitoIssuer('us-east-1')).toThrow(TypeError);
  });
});

/**
 * The two ways a verifier finds its keys. Locally (and in every harness that
 * sets `COGNITO_ISSUER`) the generic `JwtVerifier` runs against a configured
 * issuer; deployed, the Lambda has only the pool and client ids and
 * `CognitoJwtVerifier` derives the AWS issuer. Every check below runs on both,
 * so relaxing one on either path fails a test.
 */
interface VerifierPath {
  readonly name: string;
  /** `iss` of the tokens this path must accept. */
  issuer(): string;
  /** Run before each test: publishes the fixture's keys where this path fetches them. */
  serveKeys(): void;
  verifier(overrides?: Partial<CognitoVerifierOptions>): CognitoVerifier;
}

const DEPLOYED_POOL_ID = 'us-east-1_BlocksTest';

const PATHS: readonly VerifierPath[] = [
  {
    name: 'configured issuer (JwtVerifier)',
    issuer: () => fx.issuer,
    serveKeys: () => undefined,
    verifier: (overrides) => verifier(overrides),
  },
  {
    name: 'deployed pool id (CognitoJwtVerifier)',
    issuer: () => cognitoIssuer(DEPLOYED_POOL_ID),
    serveKeys: () => {
      vi.spyOn(https, 'get').mockImplementation(fx.cognitoHttpsGet(DEPLOYED_POOL_ID));
    },
    verifier: (overrides) =>
      new CognitoVerifier({ userPoolId: DEPLOYED_POOL_ID, clientId: CLIENT_ID, tokenUse: 'id', ...overrides }),
  },
];

describe.each(PATHS)('on the $name path', (path) => {
  beforeEach(() => path.serveKeys());
  const verifier = path.verifier;
  const claimsFor = (tokenUse: TokenUse, p: Partial<TokenClaimsParams> = {}): Claims =>
    claimsForIssuer(tokenUse, { issuer: path.issuer(), ...p });
  const otherIssuer = (): string => (path.issuer() === fx.issuer ? cognitoIssuer(DEPLOYED_POOL_ID) : fx.issuer);

  describe('requireAuth with an ID-token verifier', () => {
    it('returns the user of a valid ID token', async () => {
      const claims = claimsFor('id', { sub: 'sub-1', username: 'alice', email: 'alice@example.com', groups: ['admins'] });
      const user = await verifier().requireAuth(bearer(fx.mintToken(claims)));
      expect(user).toEqual({
        sub: 'sub-1',
        username: 'alice',
        email: 'alice@example.com',
        groups: ['admins'],
        claims: expect.objectContaining({ token_use: 'id', aud: CLIENT_ID, iss: path.issuer() }),
      });
    });

    it('accepts the scheme in any case and reports no groups as []', async () => {
      const token = fx.mintToken(claimsFor('id', { username: 'bob' }));
      const auth = verifier();
      for (const scheme of ['bearer', 'BEARER', 'BeArEr']) {
        const user = await auth.requireAuth(withAuthorization(`${scheme} ${token}`));
        expect(user.username).toBe('bob');
        expect(user.groups).toEqual([]);
        expect(user.email).toBeUndefined();
      }
    });

    it('a token accepted once is refused as soon as it expires, and a verified token never vouches for another', async () => {
      const auth = verifier();
      const token = fx.mintToken(claimsFor('id', { username: 'carol', ttlSeconds: 60 }));
      expect((await auth.requireAuth(bearer(token))).username).toBe('carol');
      expect((await auth.requireAuth(bearer(token))).username).toBe('carol');
      // The same claims under a broken signature: not the remembered string, so verified again and refused.
      const [header, payload] = token.split('.');
      await expect(auth.requireAuth(withAuthorization(`Bearer ${header}.${payload}.${'A'.repeat(342)}`))).rejects.toBeInstanceOf(UnauthorizedError);
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() + 61_000);
        await expect(auth.requireAuth(bearer(token))).rejects.toBeInstanceOf(UnauthorizedError);
      } finally {
        vi.useRealTimers();
      }
    });

    const rejected: [string, () => string | undefined][] = [
      ['a missing header', () => undefined],
      ['the Basic scheme', () => `Basic ${Buffer.from('alice:password').toString('base64')}`],
      ['a valid token under the Basic scheme', () => `Basic ${fx.mintToken(claimsFor('id'))}`],
      ['an empty token', () => 'Bearer '],
      ['the scheme alone', () => 'Bearer'],
      ['two tokens', () => `Bearer ${fx.mintToken(claimsFor('id'))} ${fx.mintToken(claimsFor('id'))}`],
      ['garbage', () => 'Bearer not-a-jwt'],
      ['three garbage segments', () => 'Bearer a.b.c'],
      ['an oversized token', () => `Bearer ${'a'.repeat(20_000)}.b.c`],
      ['an expired token', () => `Bearer ${fx.mintToken({ ...claimsFor('id'), iat: now() - 7200, exp: now() - 60 })}`],
      ['a not-yet-valid token', () => `Bearer ${fx.mintToken({ ...claimsFor('id'), nbf: now() + 600 })}`],
      ['a token without exp', () => `Bearer ${fx.mintToken({ ...claimsFor('id'), exp: undefined })}`],
      ['a wrong audience', () => `Bearer ${fx.mintToken(claimsFor('id', { clientId: 'another-client' }))}`],
      ['a wrong issuer', () => `Bearer ${fx.mintToken(claimsFor('id', { issuer: 'https://evil.example/local_pool' }))}`],
      ['the other path’s issuer', () => `Bearer ${fx.mintToken(claimsFor('id', { issuer: otherIssuer() }))}`],
      ['the issuer with a trailing slash', () => `Bearer ${fx.mintToken(claimsFor('id', { issuer: `${path.issuer()}/` }))}`],
      ['the Cognito issuer of another pool', () => `Bearer ${fx.mintToken(claimsFor('id', { issuer: cognitoIssuer('us-east-1_other') }))}`],
      ['an access token', () => `Bearer ${fx.mintToken(claimsFor('access'))}`],
      [
        'token_use access on an otherwise complete ID token',
        () => `Bearer ${fx.mintToken({ ...claimsFor('id'), token_use: 'access', client_id: CLIENT_ID })}`,
      ],
      ['a token without sub', () => `Bearer ${fx.mintToken({ ...claimsFor('id'), sub: undefined })}`],
      ['a signature by another key with the same kid', () => `Bearer ${fx.mintToken(claimsFor('id'), { key: generateRsaKeyPair().privateKey })}`],
      ['a tampered payload', () => `Bearer ${tamperPayload(fx.mintToken(claimsFor('id', { username: 'alice' })), '"alice"', '"alicf"')}`],
      ['an unknown kid', () => `Bearer ${fx.mintToken(claimsFor('id'), { kid: 'unknown-kid' })}`],
      ['a token without kid', () => `Bearer ${fx.mintToken(claimsFor('id'), { header: { kid: undefined } })}`],
      ['alg none', () => `Bearer ${fx.mintToken(claimsFor('id'), { alg: 'none' })}`],
      ['alg none with a dummy signature', () => `Bearer ${fx.mintToken(claimsFor('id'), { alg: 'none' })}x`],
      [
        'HS256 keyed with the public key',
        () => `Bearer ${fx.mintToken(claimsFor('id'), { alg: 'HS256', key: fx.publicKey.export({ type: 'spki', format: 'pem' }) })}`,
      ],
      ['RS512 by the right key (RS256 only)', () => `Bearer ${fx.mintToken(claimsFor('id'), { alg: 'RS512' })}`],
    ];

    it.each(rejected)('rejects %s with 401', async (_name, header) => {
      await expectUnauthorized(verifier().requireAuth(withAuthorization(header())));
    });
  });

  describe('requireAuth with an access-token verifier', () => {
    const accessVerifier = (): CognitoVerifier => verifier({ tokenUse: 'access' });

    it('returns the user of a valid access token', async () => {
      const token = fx.mintToken(claimsFor('access', { sub: 'sub-2', username: 'carol', groups: ['editors', 'admins'] }));
      const user = await accessVerifier().requireAuth(bearer(token));
      expect(user).toMatchObject({ sub: 'sub-2', username: 'carol', groups: ['editors', 'admins'] });
      expect(user.email).toBeUndefined();
      expect(user.claims.client_id).toBe(CLIENT_ID);
    });

    it('rejects an ID token', async () => {
      await expectUnauthorized(accessVerifier().requireAuth(bearer(fx.mintToken(claimsFor('id')))));
    });

    it('rejects token_use id on an otherwise complete access token', async () => {
      const token = fx.mintToken({ ...claimsFor('access'), token_use: 'id', aud: CLIENT_ID, 'cognito:username': 'alice' });
      await expectUnauthorized(accessVerifier().requireAuth(bearer(token)));
    });

    it('rejects another client id', async () => {
      const token = fx.mintToken(claimsFor('access', { clientId: 'another-client' }));
      await expectUnauthorized(accessVerifier().requireAuth(bearer(token)));
    });

    it('rejects the client id in aud only (access tokens carry client_id)', async () => {
      const token = fx.mintToken({ ...claimsFor('access'), client_id: undefined, aud: CLIENT_ID });
      await expectUnauthorized(accessVerifier().requireAuth(bearer(token)));
    });
  });

  describe('requireGroup', () => {
    it('returns a member of the group', async () => {
      const token = fx.mintToken(claimsFor('id', { groups: ['users', 'admins'] }));
      const user = await verifier().requireGroup(bearer(token), 'admins');
      expect(user.groups).toContain('admins');
    });

    it('answers 403 to a signed-in non-member', async () => {
      const token = fx.mintToken(claimsFor('id', { groups: ['users'] }));
      const error = await rejection(verifier().requireGroup(bearer(token), 'admins'));
      expect(error).toBeInstanceOf(ForbiddenError);
      expect((error as ForbiddenError).status).toBe(403);
      expect((error as ForbiddenError).message).toBe('Forbidden');
    });

    it('answers 401, not 403, without a valid token', async () => {
      await expectUnauthorized(verifier().requireGroup(withAuthorization(), 'admins'));
    });
  });

  describe('signing keys', () => {
    it('fetches the JWKS once for many verifications', async () => {
      const auth = verifier();
      fx.resetJwksRequests();
      const tokens = Array.from({ length: 10 }, () => fx.mintToken(claimsFor('id')));
      await Promise.all(tokens.map((t) => auth.requireAuth(bearer(t))));
      for (let i = 0; i < 40; i += 1) await auth.requireAuth(bearer(fx.mintToken(claimsFor('id'))));
      expect(fx.jwksRequests).toBe(1);
    });

    it('answers 503 (not 401, not details) while the JWKS cannot be fetched, and recovers', async () => {
      const auth = verifier();
      const token = fx.mintToken(claimsFor('id'));
      fx.failJwksWith(500);
      const error = await rejection(auth.requireAuth(bearer(token)));
      expect(error).toBeInstanceOf(ApiError);
      expect(error).not.toBeInstanceOf(UnauthorizedError);
      expect(error).toBeInstanceOf(ServiceUnavailableError);
      expect((error as ServiceUnavailableError).retryAfterSeconds).toBe(5);
      expect((error as ApiError).status).toBe(503);
      expect((error as ApiError).message).toBe('Authentication service unavailable');
      expect((error as ApiError).data).toBeUndefined();
      fx.failJwksWith(undefined);
      await expect(auth.requireAuth(bearer(token))).resolves.toMatchObject({ username: 'alice' });
    });
  });
});

describe('the RS256 pin', () => {
  it('rejects RS512 by the right key even when the JWK does not name its algorithm', async () => {
    const bare = await startJwksFixture({ publishAlg: false });
    try {
      const auth = verifier({ issuer: bare.issuer });
      const claims = idTokenClaims({ issuer: bare.issuer, clientId: CLIENT_ID });
      await expect(auth.requireAuth(bearer(bare.mintToken(claims)))).resolves.toMatchObject({ username: 'alice' });
      await expectUnauthorized(auth.requireAuth(bearer(bare.mintToken(claims, { alg: 'RS512' }))));
    } finally {
      await bare.close();
    }
  });
});

describe('signing keys', () => {
  it('answers 503 when the key server is unreachable', async () => {
    const auth = verifier({ jwksUri: 'http://127.0.0.1:1/local_pool/.well-known/jwks.json' });
    const error = await rejection(auth.requireAuth(bearer(fx.mintToken(claimsFor('id')))));
    expect((error as ApiError).status).toBe(503);
  });

  it.each([
    ['not JSON', '{"keys":['],
    ['a prototype key', '{"keys":[],"__proto__":{"polluted":true}}'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0x7d])],
    ['no keys array', '{"kid":"x"}'],
  ])('answers 503 when the key set is %s', async (_what, body) => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const auth = verifier({ jwksUri: `http://127.0.0.1:${port}/local_pool/.well-known/jwks.json` });
      const error = await rejection(auth.requireAuth(bearer(fx.mintToken(claimsFor('id')))));
      expect((error as ApiError).status).toBe(503);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('verifies against the derived Cognito issuer in the cloud configuration', async () => {
    const poolId = 'us-east-1_abc';
    const issuer = cognitoIssuer(poolId);
    const get = vi.spyOn(https, 'get').mockImplementation(fx.cognitoHttpsGet(poolId));
    // The keys come over node:https; global fetch (undici, slow to load on a cold start) is never used.
    vi.stubGlobal('fetch', () => Promise.reject(new Error('global fetch must not be used')));
    fx.resetJwksRequests();
    const auth = new CognitoVerifier({ userPoolId: poolId, clientId: CLIENT_ID, tokenUse: 'id' });
    const user = await auth.requireAuth(bearer(fx.mintToken(claimsFor('id', { issuer, username: 'dave' }))));
    expect(user.username).toBe('dave');
    await expectUnauthorized(auth.requireAuth(bearer(fx.mintToken(claimsFor('id')))));
    await expectUnauthorized(auth.requireAuth(bearer(fx.mintToken(claimsFor('access', { issuer })))));
    expect(get).toHaveBeenCalledTimes(1);
    expect(String(get.mock.calls[0]?.[0])).toBe(`${issuer}/.well-known/jwks.json`);
    expect(fx.jwksRequests).toBe(1);
  });
});

describe('keys from the deployment (COGNITO_JWKS)', () => {
  const poolId = 'eu-central-1_Seeded1';
  const issuer = cognitoIssuer(poolId);
  const jwksUri = `${issuer}/.well-known/jwks.json`;
  const deployed = (keys: unknown, uri = jwksUri): string => JSON.stringify({ uri, keys });
  const token = (kid?: string): AuthContext => bearer(fx.mintToken(claimsFor('id', { issuer, username: 'erin' }), kid === undefined ? {} : { kid }));

  /** A Lambda execution environment: the verifier is built, and its keys prepared, at construction. */
  function lambdaVerifier(value: string | undefined): { auth: CognitoVerifier; get: ReturnType<typeof vi.spyOn> } {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'seeded-test');
    vi.stubEnv('COGNITO_JWKS', value);
    const get = vi.spyOn(https, 'get').mockImplementation(fx.cognitoHttpsGet(poolId));
    vi.stubGlobal('fetch', () => Promise.reject(new Error('global fetch must not be used')));
    fx.resetJwksRequests();
    return { auth: new CognitoVerifier({ userPoolId: poolId, clientId: CLIENT_ID, tokenUse: 'id' }), get };
  }

  it('verifies with the deployed keys and never fetches them, at init or on a request', async () => {
    const { auth, get } = lambdaVerifier(deployed(fx.jwks().keys));
    await new Promise((resolve) => setTimeout(resolve, 20)); // room for a prefetch, were there one
    expect((await auth.requireAuth(token())).username).toBe('erin');
    expect(get).not.toHaveBeenCalled();
    expect(fx.jwksRequests).toBe(0);
    // Still a real verification: a token for another issuer is refused.
    await expectUnauthorized(auth.requireAuth(bearer(fx.mintToken(claimsFor('id')))));
    expect(logged.filter((line) => line.includes('COGNITO_JWKS'))).toEqual([]);
  });

  it('without the variable, prefetches at init as before', async () => {
    const { auth, get } = lambdaVerifier(undefined);
    expect(get).toHaveBeenCalledTimes(1);
    expect((await auth.requireAuth(token())).username).toBe('erin');
    expect(fx.jwksRequests).toBe(1);
  });

  it('fetches when a token names a key outside the deployed set (a rotation since the deployment)', async () => {
    const retired = new JwksFixture();
    const { auth, get } = lambdaVerifier(deployed(retired.jwks().keys));
    expect(get).not.toHaveBeenCalled();
    expect((await auth.requireAuth(token())).username).toBe('erin');
    expect(get).toHaveBeenCalledTimes(1);
    expect(String(get.mock.calls[0]?.[0])).toBe(jwksUri);
    // The fetched set now serves: no second fetch.
    await auth.requireAuth(bearer(fx.mintToken(claimsFor('id', { issuer, username: 'frank' }))));
    expect(fx.jwksRequests).toBe(1);
  });

  it.each([
    ['not JSON', '{"uri":', /not JSON of the form/],
    ['a bare JWKS without its URI', JSON.stringify({ keys: [] }), /not JSON of the form/],
    ['a prototype key', '{"uri":"x","keys":[],"__proto__":{"polluted":true}}', /not JSON of the form/],
    ['a malformed key', JSON.stringify({ uri: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Seeded1/.well-known/jwks.json', keys: [{ kty: 'RSA' }] }), /malformed key set/],
    ['an empty set', JSON.stringify({ uri: 'https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Seeded1/.well-known/jwks.json', keys: [] }), /empty key set/],
  ])('ignores %s (logged once) and fetches the keys as without it', async (_what, value, reason) => {
    const { auth, get } = lambdaVerifier(value);
    new CognitoVerifier({ userPoolId: poolId, clientId: CLIENT_ID, tokenUse: 'id' });
    expect((await auth.requireAuth(token())).username).toBe('erin');
    expect(get).toHaveBeenCalled();
    const warnings = logged.filter((line) => line.includes('COGNITO_JWKS ignored'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(reason);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("ignores another pool's keys, even valid ones, and fetches this pool's", async () => {
    const otherPool = `${cognitoIssuer('eu-central-1_Other99')}/.well-known/jwks.json`;
    const { auth, get } = lambdaVerifier(deployed(fx.jwks().keys, otherPool));
    expect(get).toHaveBeenCalledTimes(1);
    expect((await auth.requireAuth(token())).username).toBe('erin');
    expect(logged.join('\n')).toContain(`keys of ${otherPool}, not of this verifier's ${jwksUri}`);
  });

  it('seeds a configured issuer (local pool) by its JWKS URI too', async () => {
    vi.stubEnv('COGNITO_JWKS', JSON.stringify({ uri: fx.jwksUri, keys: fx.jwks().keys }));
    fx.resetJwksRequests();
    const auth = verifier();
    expect((await auth.requireAuth(bearer(fx.mintToken(claimsFor('id', { username: 'gina' }))))).username).toBe('gina');
    expect(fx.jwksRequests).toBe(0);
  });
});

describe('configuration', () => {
  it.each([
    'http://example.com/.well-known/jwks.json',
    'http://localhost.example.com/.well-known/jwks.json',
    'http://127.0.0.2/.well-known/jwks.json',
    'ftp://localhost/jwks.json',
    'not a url',
  ])('refuses jwksUri %s at construction', (jwksUri) => {
    expect(() => verifier({ jwksUri })).toThrow(TypeError);
  });

  it.each([
    'https://auth.example.com/.well-known/jwks.json',
    'http://localhost:9229/pool/.well-known/jwks.json',
    'http://127.0.0.1:9229/pool/.well-known/jwks.json',
    'http://[::1]:9229/pool/.well-known/jwks.json',
  ])('accepts jwksUri %s', (jwksUri) => {
    expect(() => verifier({ jwksUri })).not.toThrow();
  });

  it('refuses a derived http JWKS URI of a non-loopback issuer', async () => {
    await expect(verifier({ issuer: 'http://pool.example.com/p' }).requireAuth(withAuthorization())).rejects.toThrow(
      TypeError,
    );
  });

  it('refuses an invalid tokenUse at construction', () => {
    expect(() => verifier({ tokenUse: 'refresh' as unknown as TokenUse })).toThrow(TypeError);
  });

  it('constructs without its environment and fails clearly on first use', async () => {
    const auth = new CognitoVerifier({ userPoolId: undefined, clientId: undefined, tokenUse: 'id' });
    await expect(auth.requireAuth(withAuthorization())).rejects.toThrow(/userPoolId is not set/);
    const noClient = new CognitoVerifier({ userPoolId: 'us-east-1_abc', clientId: '', tokenUse: 'id' });
    await expect(noClient.requireAuth(withAuthorization())).rejects.toThrow(/clientId is not set/);
  });

  it('refuses a malformed pool id when the issuer is derived', async () => {
    const auth = new CognitoVerifier({ userPoolId: 'local_pool', clientId: CLIENT_ID, tokenUse: 'id' });
    await expect(auth.requireAuth(withAuthorization())).rejects.toThrow(/not a Cognito user pool id/);
  });

  it('refuses a jwksUri without an issuer', async () => {
    const auth = new CognitoVerifier({ userPoolId: 'us-east-1_abc', clientId: CLIENT_ID, tokenUse: 'id', jwksUri: fx.jwksUri });
    await expect(auth.requireAuth(withAuthorization())).rejects.toThrow(/without an issuer/);
  });

  it('falls back to COGNITO_ISSUER / COGNITO_JWKS_URI', async () => {
    vi.stubEnv('COGNITO_ISSUER', fx.issuer);
    vi.stubEnv('COGNITO_JWKS_URI', fx.jwksUri);
    const auth = new CognitoVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, tokenUse: 'id' });
    await expect(auth.requireAuth(bearer(fx.mintToken(claimsFor('id'))))).resolves.toMatchObject({ username: 'alice' });
  });

  it('derives the JWKS URI from COGNITO_ISSUER alone', async () => {
    vi.stubEnv('COGNITO_ISSUER', fx.issuer);
    const auth = new CognitoVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, tokenUse: 'id' });
    await expect(auth.requireAuth(bearer(fx.mintToken(claimsFor('id'))))).resolves.toMatchObject({ username: 'alice' });
  });

  it('refuses a non-loopback http COGNITO_JWKS_URI on first use', async () => {
    vi.stubEnv('COGNITO_ISSUER', fx.issuer);
    vi.stubEnv('COGNITO_JWKS_URI', 'http://keys.example.com/jwks.json');
    const auth = new CognitoVerifier({ userPoolId: POOL_ID, clientId: CLIENT_ID, tokenUse: 'id' });
    await expect(auth.requireAuth(bearer(fx.mintToken(claimsFor('id'))))).rejects.toThrow(/must use https/);
  });

  it('lets explicit options win over the environment', async () => {
    const otherIssuer = 'http://127.0.0.1:9/other_pool';
    vi.stubEnv('COGNITO_ISSUER', otherIssuer);
    vi.stubEnv('COGNITO_JWKS_URI', 'http://127.0.0.1:9/other_pool/.well-known/jwks.json');
    const auth = verifier({ issuer: fx.issuer });
    await expect(auth.requireAuth(bearer(fx.mintToken(claimsFor('id'))))).resolves.toMatchObject({ username: 'alice' });
    await expectUnauthorized(auth.requireAuth(bearer(fx.mintToken(claimsFor('id', { issuer: otherIssuer })))));
  });
});

describe('what failures reveal', () => {
  it('puts neither the token nor its claim values in errors or logs', async () => {
    const secrets = {
      sub: 'sub-7d1c-secret',
      username: 'user-secret-name',
      email: 'secret.person@example.com',
      groups: ['group-secret-admins'],
    };
    const evilIssuer = 'https://issuer-secret.example/p';
    const tokens = [
      fx.mintToken({ ...claimsFor('id', secrets), exp: now() - 10 }),
      fx.mintToken(claimsFor('id', { ...secrets, clientId: 'client-secret-aud' })),
      fx.mintToken(claimsFor('id', { ...secrets, issuer: evilIssuer })),
      fx.mintToken(claimsFor('access', secrets)),
      fx.mintToken(claimsFor('id', secrets), { key: generateRsaKeyPair().privateKey }),
      fx.mintToken(claimsFor('id', secrets), { kid: 'kid-secret-unknown' }),
      fx.mintToken(claimsFor('id', secrets), { alg: 'HS256', key: 'hmac-secret' }),
    ];
    const auth = verifier();
    const errors: UnauthorizedError[] = [];
    for (const token of tokens) errors.push(await expectUnauthorized(auth.requireAuth(bearer(token))));
    const forbidden = await rejection(
      auth.requireGroup(bearer(fx.mintToken(claimsFor('id', secrets))), 'group-secret-required'),
    );

    const revealed = [
      ...errors.map((e) => `${e.message} ${JSON.stringify(e.data)} ${e.stack ?? ''}`),
      `${(forbidden as Error).message} ${(forbidden as Error).stack ?? ''}`,
      ...logged,
    ].join('\n');
    expect(logged.length).toBeGreaterThan(0);
    for (const value of [...tokens, ...Object.values(secrets).flat(), evilIssuer, 'client-secret-aud', 'kid-secret-unknown', 'group-secret-required']) {
      expect(revealed).not.toContain(value);
    }
  });
});
