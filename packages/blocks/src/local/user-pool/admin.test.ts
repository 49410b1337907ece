import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalUserPool } from './pool.js';
import { bodyOf, call, decodePayload, errorType, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';

let pool: LocalUserPool;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  pool = testPool(temp.dir);
});
afterEach(() => cleanup());

const passwordAuth = (username: string, password = STRONG_PASSWORD) =>
  call(pool, 'InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } });

async function signedIn(email: string): Promise<{ sub: string; originJti: string; refresh: string }> {
  const tokens = tokensOf(await passwordAuth(email));
  const claims = decodePayload(tokens.IdToken);
  return { sub: String(claims.sub), originJti: String(claims.origin_jti), refresh: tokens.RefreshToken ?? '' };
}

const refresh = (token: string) => call(pool, 'InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } });

describe('admin operations of the local console', () => {
  it('lists users with status and live codes, and searches them', async () => {
    await pool.adminCreateUser({ email: 'ada@example.com', password: STRONG_PASSWORD, groups: ['admins'] });
    await call(pool, 'SignUp', { Username: 'bob@example.com', Password: STRONG_PASSWORD, UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }] });
    const users = await pool.listUserDetails();
    expect(users.map((user) => [user.email, user.confirmed, user.enabled])).toEqual([
      ['ada@example.com', true, true],
      ['bob@example.com', false, true],
    ]);
    const bob = users[1]!;
    expect(bob.pendingCodes).toEqual([expect.objectContaining({ kind: 'signUp', code: await pool.lastCode('bob@example.com'), destination: 'bob@example.com' })]);
    expect(Date.parse(bob.pendingCodes[0]!.expiresAt)).toBeGreaterThan(Date.now());
    expect((await pool.listUserDetails('ADMINS')).map((user) => user.email)).toEqual(['ada@example.com']);
  });

  it('confirms a sign-up without the code', async () => {
    await call(pool, 'SignUp', { Username: 'bob@example.com', Password: STRONG_PASSWORD, UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }] });
    expect(errorType(await passwordAuth('bob@example.com'))).toBe('UserNotConfirmedException');
    await pool.adminConfirmSignUp('bob@example.com');
    expect((await passwordAuth('bob@example.com')).status).toBe(200);
    expect((await pool.listUserDetails())[0]?.pendingCodes).toEqual([]);
  });

  it('disables (ending sessions and sign-in) and enables a user', async () => {
    await pool.adminCreateUser({ email: 'ada@example.com', password: STRONG_PASSWORD });
    const session = await signedIn('ada@example.com');
    expect(await pool.isSessionLive(session)).toBe(true);
    await pool.adminSetUserEnabled('ada@example.com', false);
    expect(await pool.isSessionLive(session)).toBe(false);
    expect(bodyOf(await passwordAuth('ada@example.com'))).toMatchObject({ __type: 'NotAuthorizedException', message: 'User is disabled.' });
    expect(errorType(await refresh(session.refresh))).toBe('NotAuthorizedException');
    await pool.adminSetUserEnabled('ada@example.com', true);
    expect((await passwordAuth('ada@example.com')).status).toBe(200);
  });

  it('sets a new password under the pool policy', async () => {
    await pool.adminCreateUser({ email: 'ada@example.com', password: STRONG_PASSWORD });
    await expect(pool.adminSetUserPassword('ada@example.com', 'short')).rejects.toMatchObject({ type: 'InvalidPasswordException' });
    await pool.adminSetUserPassword('ada@example.com', 'N3w-Passw0rd!');
    expect(errorType(await passwordAuth('ada@example.com'))).toBe('NotAuthorizedException');
    expect((await passwordAuth('ada@example.com', 'N3w-Passw0rd!')).status).toBe(200);
  });

  it('deletes a user: sessions die, the email is free again', async () => {
    await pool.adminCreateUser({ email: 'ada@example.com', password: STRONG_PASSWORD });
    const session = await signedIn('ada@example.com');
    await pool.adminDeleteUser('ada@example.com');
    expect(await pool.isSessionLive(session)).toBe(false);
    expect(await pool.listUsers()).toEqual([]);
    expect(errorType(await refresh(session.refresh))).toBe('NotAuthorizedException');
    await expect(pool.adminDeleteUser('ada@example.com')).rejects.toMatchObject({ type: 'UserNotFoundException' });
    await pool.adminCreateUser({ email: 'ada@example.com', password: STRONG_PASSWORD });
  });
});
