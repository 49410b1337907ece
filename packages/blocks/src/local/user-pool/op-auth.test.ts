import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalUserPool } from './pool.js';
import { N } from './srp.js';
import {
  bodyOf,
  call,
  decodePayload,
  errorType,
  fakeClock,
  srpSignIn,
  STRONG_PASSWORD,
  tempDataDir,
  testPool,
  tokensOf,
} from './testing/harness.js';

let dir: string;
let cleanup: () => Promise<void>;
let pool: LocalUserPool;
let clock: ReturnType<typeof fakeClock>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
  clock = fakeClock();
  pool = testPool(dir, { now: clock.now });
});
afterEach(() => cleanup());

const INCORRECT = { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' };
const EXCEEDED = { __type: 'NotAuthorizedException', message: 'Password attempts exceeded' };

describe('InitiateAuth USER_SRP_AUTH + RespondToAuthChallenge', () => {
  it('signs in and issues Cognito-shaped tokens', async () => {
    const { sub } = await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    const { initiate, final } = await srpSignIn(pool, 'Alice@Example.com', STRONG_PASSWORD);
    expect(bodyOf(initiate)).toMatchObject({
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeParameters: { USERNAME: sub, USER_ID_FOR_SRP: sub },
    });
    expect(final.status).toBe(200);
    expect(bodyOf(final).AuthenticationResult).toMatchObject({ ExpiresIn: 3600, TokenType: 'Bearer' });
    const tokens = tokensOf(final);
    expect(tokens.RefreshToken).toBeDefined();

    const nowSeconds = Math.floor(clock.now() / 1000);
    const id = decodePayload(tokens.IdToken);
    expect(id).toEqual({
      sub,
      aud: pool.clientId,
      email: 'alice@example.com',
      email_verified: true,
      'cognito:username': sub,
      iss: pool.issuer,
      token_use: 'id',
      auth_time: nowSeconds,
      iat: nowSeconds,
      exp: nowSeconds + 3600,
      jti: expect.any(String),
      origin_jti: expect.any(String),
      event_id: expect.any(String),
    });
    const access = decodePayload(tokens.AccessToken);
    expect(access).toEqual({
      sub,
      client_id: pool.clientId,
      username: sub,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      iss: pool.issuer,
      auth_time: nowSeconds,
      iat: nowSeconds,
      exp: nowSeconds + 3600,
      jti: expect.any(String),
      origin_jti: id.origin_jti,
      event_id: id.event_id,
    });
    expect(access.jti).not.toBe(id.jti);
    const header = JSON.parse(Buffer.from(tokens.IdToken.split('.')[0] ?? '', 'base64url').toString('utf8')) as unknown;
    expect(header).toEqual({ kid: (await pool.jwks()).keys[0]?.kid, alg: 'RS256' });
  });

  it('puts groups into both tokens', async () => {
    await pool.adminCreateUser({ email: 'admin@example.com', password: STRONG_PASSWORD, groups: ['admins'] });
    const tokens = tokensOf((await srpSignIn(pool, 'admin@example.com', STRONG_PASSWORD)).final);
    expect(decodePayload(tokens.IdToken)['cognito:groups']).toEqual(['admins']);
    expect(decodePayload(tokens.AccessToken)['cognito:groups']).toEqual(['admins']);
  });

  it('signs in reliably across random salts and ephemerals', async () => {
    await pool.adminCreateUser({ email: 'many@example.com', password: STRONG_PASSWORD });
    for (let i = 0; i < 8; i += 1) {
      expect((await srpSignIn(pool, 'many@example.com', STRONG_PASSWORD)).final.status).toBe(200);
    }
  });

  it('rejects a wrong password', async () => {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    const { final } = await srpSignIn(pool, 'alice@example.com', 'Wr0ng!pass');
    expect(final.status).toBe(400);
    expect(final.body).toEqual(INCORRECT);
  });

  it('answers an unknown user with a stable decoy challenge, then the same error', async () => {
    const first = await srpSignIn(pool, 'ghost@example.com', STRONG_PASSWORD);
    const second = await srpSignIn(pool, 'GHOST@example.com', STRONG_PASSWORD);
    expect(first.initiate.status).toBe(200);
    const params = (r: typeof first) => bodyOf(r.initiate).ChallengeParameters as Record<string, string>;
    expect(params(first).USER_ID_FOR_SRP).toMatch(/^[0-9a-f-]{36}$/);
    expect(params(first).USER_ID_FOR_SRP).toBe(params(second).USER_ID_FOR_SRP);
    expect(params(first).SALT).toBe(params(second).SALT);
    expect(first.final.body).toEqual(INCORRECT);
  });

  it('says UserNotConfirmed only after the right password', async () => {
    await pool.adminCreateUser({ email: 'new@example.com', password: STRONG_PASSWORD, confirmed: false });
    expect((await srpSignIn(pool, 'new@example.com', 'Wr0ng!pass')).final.body).toEqual(INCORRECT);
    expect((await srpSignIn(pool, 'new@example.com', STRONG_PASSWORD)).final.body).toEqual({
      __type: 'UserNotConfirmedException',
      message: 'User is not confirmed.',
    });
  });

  it('locks the password after 5 failures for 15 minutes', async () => {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    for (let i = 0; i < 5; i += 1) {
      expect((await srpSignIn(pool, 'alice@example.com', 'Wr0ng!pass')).final.body).toEqual(INCORRECT);
    }
    expect((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final.body).toEqual(EXCEEDED);
    clock.advance(15 * 60 * 1000 + 1);
    expect((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final.status).toBe(200);
  });

  it('locks unknown usernames the same way', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect((await srpSignIn(pool, 'ghost@example.com', STRONG_PASSWORD)).final.body).toEqual(INCORRECT);
    }
    expect((await srpSignIn(pool, 'ghost@example.com', STRONG_PASSWORD)).final.body).toEqual(EXCEEDED);
  });

  it('refuses a replayed or expired challenge response', async () => {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    let captured: Record<string, string> = {};
    const ok = await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD, (responses) => {
      captured = { ...responses };
    });
    expect(ok.final.status).toBe(200);
    const replay = await call(pool, 'RespondToAuthChallenge', {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: captured,
    });
    expect(replay.body).toMatchObject({ __type: 'NotAuthorizedException' });

    clock.advance(0);
    const late = await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD, () => clock.advance(5 * 60 * 1000));
    expect(late.final.body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
  });

  it('rejects tampered signatures, secret blocks and usernames', async () => {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    await pool.adminCreateUser({ email: 'eve@example.com', password: STRONG_PASSWORD });
    const flipped = await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD, (r) => {
      r.PASSWORD_CLAIM_SIGNATURE = Buffer.alloc(32, 1).toString('base64');
    });
    expect(flipped.final.body).toEqual(INCORRECT);
    const garbage = await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD, (r) => {
      r.PASSWORD_CLAIM_SECRET_BLOCK = Buffer.alloc(80, 7).toString('base64');
    });
    expect(garbage.final.body).toEqual(INCORRECT);
    const otherUser = await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD, (r) => {
      r.USERNAME = 'eve@example.com';
    });
    expect(otherUser.final.body).toEqual(INCORRECT);
    const timestamp = await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD, (r) => {
      r.TIMESTAMP = 'Tue Nov 24 02:14:27 UTC 2026';
    });
    expect(timestamp.final.body).toEqual(INCORRECT);
  });

  it('validates SRP_A and the challenge fields', async () => {
    const initiate = (srpA: string) =>
      call(pool, 'InitiateAuth', {
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'a@example.com', SRP_A: srpA },
      });
    for (const bad of ['0', N.toString(16), (N * 2n).toString(16), 'xyz', '']) {
      expect(errorType(await initiate(bad))).toBe('InvalidParameterException');
    }
    const missing = await call(pool, 'RespondToAuthChallenge', {
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: { USERNAME: 'a@example.com' },
    });
    expect(errorType(missing)).toBe('InvalidParameterException');
    const otherChallenge = await call(pool, 'RespondToAuthChallenge', {
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ChallengeResponses: {},
    });
    expect(errorType(otherChallenge)).toBe('InvalidParameterException');
  });
});

describe('InitiateAuth USER_PASSWORD_AUTH', () => {
  const passwordAuth = (username: string, password: string) =>
    call(pool, 'InitiateAuth', {
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    });

  it('checks the password against the stored verifier', async () => {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    const ok = await passwordAuth('alice@example.com', STRONG_PASSWORD);
    expect(ok.status).toBe(200);
    expect(decodePayload(tokensOf(ok).IdToken).email).toBe('alice@example.com');
    expect((await passwordAuth('alice@example.com', 'Wr0ng!pass')).body).toEqual(INCORRECT);
    expect((await passwordAuth('nobody@example.com', STRONG_PASSWORD)).body).toEqual(INCORRECT);
  });

  it('counts concurrent failures without losing any (per-user lock)', async () => {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    const results = await Promise.all(Array.from({ length: 5 }, () => passwordAuth('alice@example.com', 'Wr0ng!pass')));
    expect(results.every((r) => errorType(r) === 'NotAuthorizedException')).toBe(true);
    expect((await passwordAuth('alice@example.com', STRONG_PASSWORD)).body).toEqual(EXCEEDED);
  });

  it('shares the lockout with SRP', async () => {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    for (let i = 0; i < 5; i += 1) await passwordAuth('alice@example.com', 'Wr0ng!pass');
    expect((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final.body).toEqual(EXCEEDED);
    expect((await passwordAuth('alice@example.com', STRONG_PASSWORD)).body).toEqual(EXCEEDED);
  });
});

describe('refresh', () => {
  async function signedIn() {
    await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
    return tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final);
  }

  it('GetTokensFromRefreshToken issues new ID and access tokens of the same session', async () => {
    const tokens = await signedIn();
    clock.advance(10 * 60 * 1000);
    const refreshed = await call(pool, 'GetTokensFromRefreshToken', { RefreshToken: tokens.RefreshToken });
    expect(refreshed.status).toBe(200);
    const next = tokensOf(refreshed);
    expect(next.RefreshToken).toBeUndefined();
    const before = decodePayload(tokens.AccessToken);
    const after = decodePayload(next.AccessToken);
    expect(after.origin_jti).toBe(before.origin_jti);
    expect(after.auth_time).toBe(before.auth_time);
    expect(after.iat).toBe((before.iat as number) + 600);
    expect(after.jti).not.toBe(before.jti);
  });

  it('InitiateAuth REFRESH_TOKEN_AUTH and REFRESH_TOKEN work too, and pick up new groups', async () => {
    const tokens = await signedIn();
    await pool.adminAddUserToGroup('alice@example.com', 'editors');
    for (const flow of ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']) {
      const response = await call(pool, 'InitiateAuth', {
        AuthFlow: flow,
        AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken ?? '' },
      });
      expect(decodePayload(tokensOf(response).IdToken)['cognito:groups']).toEqual(['editors']);
    }
  });

  it('rejects unknown, tampered and expired refresh tokens', async () => {
    const tokens = await signedIn();
    const refresh = (token: string) => call(pool, 'GetTokensFromRefreshToken', { RefreshToken: token });
    const invalid = { __type: 'NotAuthorizedException', message: 'Invalid Refresh Token' };
    expect((await refresh('nonsense')).body).toEqual(invalid);
    expect((await refresh(`${tokens.RefreshToken ?? ''}x`)).body).toEqual(invalid);
    expect((await refresh(`${crypto.randomUUID()}.${'a'.repeat(64)}`)).body).toEqual(invalid);
    clock.advance(30 * 24 * 3600 * 1000 + 1);
    expect((await refresh(tokens.RefreshToken ?? '')).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Refresh Token has expired',
    });
  });
});

describe('InitiateAuth flow names', () => {
  it('refuses flows the Amplify app client does not enable, and unknown ones', async () => {
    const flow = (name: string) => call(pool, 'InitiateAuth', { AuthFlow: name, AuthParameters: {} });
    expect((await flow('CUSTOM_AUTH')).body).toEqual({
      __type: 'InvalidParameterException',
      message: 'CUSTOM_AUTH flow not enabled for this client',
    });
    expect(errorType(await flow('MAGIC'))).toBe('InvalidParameterException');
    expect(errorType(await call(pool, 'InitiateAuth', { AuthFlow: 'USER_SRP_AUTH' }))).toBe(
      'InvalidParameterException',
    );
    expect(errorType(await call(pool, 'InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', AuthParameters: [] }))).toBe(
      'SerializationException',
    );
  });
});
