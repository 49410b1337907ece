import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalUserPool } from './pool.js';
import { DEFAULT_POOL_SETTINGS } from './settings.js';
import { bodyOf, call, decodePayload, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';

/**
 * A pool without username attributes (a user-pool override of defineAuth):
 * users pick a username, sign in with it in any case, and it is their
 * Cognito username; the email is only where codes go.
 */

let cleanup: () => Promise<void>;
let pool: LocalUserPool;

beforeEach(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  pool = testPool(temp.dir, { settings: { ...DEFAULT_POOL_SETTINGS, usernameAttributes: [], requiredAttributes: [] } });
});
afterEach(async () => {
  await pool.outbox();
  await cleanup();
});

const signUp = (Username: string, email = 'ada@example.com') =>
  call(pool, 'SignUp', { Username, Password: STRONG_PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }).then(bodyOf);

describe('sign-in by username', () => {
  it('signs up with a username (code by email) and signs in with it in any case, as the Cognito username', async () => {
    expect((await signUp('Ada.Lovelace')).CodeDeliveryDetails).toEqual({ Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
    const [message] = await pool.outbox({ to: 'ada@example.com' });
    expect((await call(pool, 'ConfirmSignUp', { Username: 'ada.lovelace', ConfirmationCode: message?.code ?? '' })).status).toBe(200);
    const tokens = tokensOf((await srpSignIn(pool, 'ADA.LOVELACE', STRONG_PASSWORD)).final);
    expect(decodePayload(tokens.IdToken)).toMatchObject({ 'cognito:username': 'Ada.Lovelace', email: 'ada@example.com', email_verified: true });
    expect(decodePayload(tokens.AccessToken).username).toBe('Ada.Lovelace');
    expect(bodyOf(await call(pool, 'GetUser', { AccessToken: tokens.AccessToken })).Username).toBe('Ada.Lovelace');
    expect(await pool.listUsers()).toEqual([expect.objectContaining({ username: 'Ada.Lovelace', email: 'ada@example.com' })]);
  });

  it('refuses a taken username in any case and one with spaces; the email is not a sign-in name', async () => {
    await signUp('ada');
    expect(await signUp('ADA', 'other@example.com')).toEqual({ __type: 'UsernameExistsException', message: 'User already exists' });
    expect((await signUp('ada lovelace')).__type).toBe('InvalidParameterException');
    const code = (await pool.outbox({ to: 'ada@example.com' })).at(0)?.code ?? '';
    await call(pool, 'ConfirmSignUp', { Username: 'ada', ConfirmationCode: code });
    expect(bodyOf((await srpSignIn(pool, 'ada@example.com', STRONG_PASSWORD)).final).__type).toBe('NotAuthorizedException');
    expect(tokensOf((await srpSignIn(pool, 'ada', STRONG_PASSWORD)).final).AccessToken).toBeTruthy();
  });

  it('leaves a user with nowhere to send a code unconfirmed, without a code', async () => {
    const response = bodyOf(await call(pool, 'SignUp', { Username: 'loner', Password: STRONG_PASSWORD }));
    expect(response).toEqual({ UserConfirmed: false, UserSub: expect.any(String) });
    expect(await pool.outbox()).toEqual([]);
  });
});
