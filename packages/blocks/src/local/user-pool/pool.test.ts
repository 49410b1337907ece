import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OPERATIONS } from './operations.js';
import { createLocalUserPool, type LocalUserPool } from './pool.js';
import { call, errorType, STRONG_PASSWORD, tempDataDir, testPool } from './testing/harness.js';

let dir: string;
let cleanup: () => Promise<void>;
let pool: LocalUserPool;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
  pool = testPool(dir);
});
afterEach(() => cleanup());

describe('createLocalUserPool', () => {
  it('derives issuer, ids and a JWKS', async () => {
    expect(pool.userPoolId).toBe('local_blocks');
    expect(pool.clientId).toBe('local-blocks-client');
    expect(pool.issuer).toBe('http://localhost:5173/local-cognito/local_blocks');
    const custom = createLocalUserPool({
      dataDir: dir,
      issuerBaseUrl: 'http://x/y/',
      userPoolId: 'eu_test',
      clientId: 'abc',
    });
    expect(custom.issuer).toBe('http://x/y/eu_test');
    const { keys } = await pool.jwks();
    expect(keys).toEqual([
      { kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String), n: expect.any(String), e: 'AQAB' },
    ]);
  });

  it('refuses a pool id without a pool name', () => {
    expect(() => createLocalUserPool({ dataDir: dir, issuerBaseUrl: 'http://x', userPoolId: 'blocks' })).toThrow(
      /userPoolId/,
    );
  });

  it('prints codes to the console by default', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    try {
      const noisy = createLocalUserPool({ dataDir: dir, issuerBaseUrl: 'http://x' });
      await call(noisy, 'SignUp', { Username: 'alice@example.com', Password: STRONG_PASSWORD });
      const code = await noisy.lastCode('alice@example.com');
      expect(info).toHaveBeenCalledWith(`[local user pool] sign-up confirmation code for alice@example.com: ${code}`);
    } finally {
      info.mockRestore();
    }
  });

  it('survives a throwing onCode', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const broken = testPool(dir, {
        onCode: () => {
          throw new Error('mailer down');
        },
      });
      expect((await call(broken, 'SignUp', { Username: 'alice@example.com', Password: STRONG_PASSWORD })).status).toBe(
        200,
      );
    } finally {
      error.mockRestore();
    }
  });
});

describe('handle', () => {
  it('accepts the target with or without the service prefix', async () => {
    const response = await pool.handle({
      target: 'AWSCognitoIdentityProviderService.SignUp',
      body: { ClientId: pool.clientId, Username: 'a@example.com', Password: STRONG_PASSWORD },
    });
    expect(response.status).toBe(200);
  });

  it('answers unknown operations with UnknownOperationException', async () => {
    for (const target of ['AdminCreateUser', 'toString', '__proto__', '']) {
      const response = await pool.handle({ target, body: {} });
      expect(response.status).toBe(400);
      expect(errorType(response)).toBe('UnknownOperationException');
    }
  });

  it('answers malformed bodies with SerializationException, never a 500', async () => {
    for (const body of [undefined, null, 42, 'not json', '[1,2]', [], '{"__proto__":{"x":1}}', '{"ClientId":']) {
      const response = await pool.handle({ target: 'SignUp', body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(errorType(response)).toBe('SerializationException');
    }
    const fromString = await pool.handle({
      target: 'SignUp',
      body: JSON.stringify({ ClientId: pool.clientId, Username: 'a@example.com', Password: STRONG_PASSWORD }),
    });
    expect(fromString.status).toBe(200);
  });

  it('survives every operation fed odd values in each field of an otherwise valid body', async () => {
    const open = testPool(dir, { rateLimit: false });
    await open.adminCreateUser({ email: 'a@example.com', password: STRONG_PASSWORD });
    const valid: Record<string, unknown> = {
      ClientId: open.clientId,
      Username: 'a@example.com',
      Password: STRONG_PASSWORD,
      ConfirmationCode: '123456',
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: 'a@example.com', SRP_A: 'abcdef', PASSWORD: STRONG_PASSWORD },
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: {
        USERNAME: 'a@example.com',
        PASSWORD_CLAIM_SECRET_BLOCK: 'AAAA',
        PASSWORD_CLAIM_SIGNATURE: 'AAAA',
        TIMESTAMP: 'x',
      },
      RefreshToken: `${crypto.randomUUID()}.${'a'.repeat(40)}`,
      AccessToken: 'a.b.c',
      Token: 'x.y',
      UserAttributes: [{ Name: 'name', Value: 'A' }],
      PreviousPassword: STRONG_PASSWORD,
      ProposedPassword: STRONG_PASSWORD,
      AttributeName: 'email',
      Code: '123456',
      UserAttributeNames: ['name'],
    };
    const oddValues: unknown[] = [
      null,
      1,
      true,
      'x',
      '',
      [],
      {},
      [{}],
      [null],
      { a: 1 },
      { USERNAME: 1 },
      'a'.repeat(20_000),
    ];
    const statuses = new Set<number>();
    for (const target of OPERATIONS.keys()) {
      for (const field of Object.keys(valid)) {
        for (const value of oddValues) {
          const response = await open.handle({ target, body: { ...valid, [field]: value } });
          statuses.add(response.status);
          if (response.status !== 200) expect(typeof errorType(response), `${target}.${field}`).toBe('string');
        }
      }
    }
    expect(statuses.has(500)).toBe(false);
  }, 60_000);

  it('answers a wrong client id with ResourceNotFoundException', async () => {
    const response = await call(
      pool,
      'SignUp',
      { Username: 'a@example.com', Password: STRONG_PASSWORD },
      'someone-else',
    );
    expect(response.body).toEqual({
      __type: 'ResourceNotFoundException',
      message: 'User pool client someone-else does not exist.',
    });
  });

  it('rate-limits the pool with TooManyRequestsException', async () => {
    let now = 0;
    const limited = testPool(dir, { rateLimit: { requestsPerSecond: 1, burst: 3 }, now: () => now });
    const types = [];
    for (let i = 0; i < 5; i += 1) types.push(errorType(await limited.handle({ target: 'Nope', body: {} })));
    expect(types).toEqual([
      'UnknownOperationException',
      'UnknownOperationException',
      'UnknownOperationException',
      'TooManyRequestsException',
      'TooManyRequestsException',
    ]);
    now += 1000;
    expect(errorType(await limited.handle({ target: 'Nope', body: {} }))).toBe('UnknownOperationException');
  });
});

describe('admin helpers', () => {
  it('create, group, list', async () => {
    const alice = await pool.adminCreateUser({
      email: 'Alice@Example.com',
      password: STRONG_PASSWORD,
      groups: ['admins'],
    });
    expect(alice).toMatchObject({
      email: 'alice@example.com',
      confirmed: true,
      emailVerified: true,
      groups: ['admins'],
    });
    await expect(pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD })).rejects.toMatchObject(
      {
        type: 'UsernameExistsException',
      },
    );
    await expect(pool.adminCreateUser({ email: 'bob@example.com', password: 'weak' })).rejects.toMatchObject({
      type: 'InvalidPasswordException',
    });
    await pool.adminAddUserToGroup('ALICE@example.com', 'editors');
    await pool.adminAddUserToGroup('alice@example.com', 'editors');
    await expect(pool.adminAddUserToGroup('ghost@example.com', 'x')).rejects.toMatchObject({
      type: 'UserNotFoundException',
    });
    expect((await pool.listUsers()).map((u) => u.groups)).toEqual([['admins', 'editors']]);
    await pool.adminRemoveUserFromGroup('alice@example.com', 'admins');
    expect((await pool.listUsers())[0]?.groups).toEqual(['editors']);
  });

  it('lastCode is undefined without a live code', async () => {
    expect(await pool.lastCode('ghost@example.com')).toBeUndefined();
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    expect(await pool.lastCode('alice@example.com')).toBeUndefined();
  });
});
