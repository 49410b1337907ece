import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalUserPool } from './pool.js';
import { call, errorType, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';

let cleanup: () => Promise<void>;
let pool: LocalUserPool;

beforeEach(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  pool = testPool(temp.dir);
  await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
});
afterEach(() => cleanup());

const signIn = async () => tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final);
const refresh = (token = '') => call(pool, 'GetTokensFromRefreshToken', { RefreshToken: token });
const getUser = (accessToken: string) => pool.handle({ target: 'GetUser', body: { AccessToken: accessToken } });

const REVOKED_REFRESH = { __type: 'NotAuthorizedException', message: 'Refresh Token has been revoked' };
const REVOKED_ACCESS = { __type: 'NotAuthorizedException', message: 'Access Token has been revoked' };

describe('RevokeToken', () => {
  it('ends one session: its refresh token and access tokens stop working, others go on', async () => {
    const phone = await signIn();
    const laptop = await signIn();
    expect((await call(pool, 'RevokeToken', { Token: phone.RefreshToken })).status).toBe(200);
    expect((await refresh(phone.RefreshToken)).body).toEqual(REVOKED_REFRESH);
    expect((await getUser(phone.AccessToken)).body).toEqual(REVOKED_ACCESS);
    expect((await refresh(laptop.RefreshToken)).status).toBe(200);
    expect((await getUser(laptop.AccessToken)).status).toBe(200);
  });

  it('is idempotent and refuses what is not a refresh token', async () => {
    const tokens = await signIn();
    expect((await call(pool, 'RevokeToken', { Token: tokens.RefreshToken })).status).toBe(200);
    expect((await call(pool, 'RevokeToken', { Token: tokens.RefreshToken })).status).toBe(200);
    expect(errorType(await call(pool, 'RevokeToken', { Token: tokens.AccessToken }))).toBe(
      'UnsupportedTokenTypeException',
    );
    expect(errorType(await call(pool, 'RevokeToken', { Token: tokens.RefreshToken }, 'other-client'))).toBe(
      'ResourceNotFoundException',
    );
  });
});

describe('GlobalSignOut', () => {
  it('ends every session of the user; a later sign-in works', async () => {
    const phone = await signIn();
    const laptop = await signIn();
    expect((await pool.handle({ target: 'GlobalSignOut', body: { AccessToken: laptop.AccessToken } })).status).toBe(
      200,
    );
    for (const session of [phone, laptop]) {
      expect((await refresh(session.RefreshToken)).body).toEqual(REVOKED_REFRESH);
      expect((await getUser(session.AccessToken)).body).toEqual(REVOKED_ACCESS);
    }
    const again = await signIn();
    expect((await getUser(again.AccessToken)).status).toBe(200);
    expect((await refresh(again.RefreshToken)).status).toBe(200);
  });

  it('needs a valid access token', async () => {
    const tokens = await signIn();
    const invalid = { __type: 'NotAuthorizedException', message: 'Invalid Access Token' };
    expect((await pool.handle({ target: 'GlobalSignOut', body: { AccessToken: tokens.IdToken } })).body).toEqual(
      invalid,
    );
    expect((await pool.handle({ target: 'GlobalSignOut', body: { AccessToken: 'a.b.c' } })).body).toEqual(invalid);
    expect(errorType(await pool.handle({ target: 'GlobalSignOut', body: {} }))).toBe('InvalidParameterException');
  });
});
