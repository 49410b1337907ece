import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeEvent } from './context.js';
import type { LocalUserPool } from './pool.js';
import {
  call,
  errorType,
  fakeClock,
  srpSignIn,
  STRONG_PASSWORD,
  tempDataDir,
  testPool,
  tokensOf,
} from './testing/harness.js';

let cleanup: () => Promise<void>;
let pool: LocalUserPool;
let clock: ReturnType<typeof fakeClock>;
let sent: CodeEvent[];

const NEW_PASSWORD = 'N3w!password';

beforeEach(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  clock = fakeClock();
  sent = [];
  pool = testPool(temp.dir, { now: clock.now, onCode: (event) => sent.push(event) });
  await pool.adminCreateUser({ email: 'alice@example.com', password: STRONG_PASSWORD });
});
afterEach(() => cleanup());

const forgot = (username = 'alice@example.com') => call(pool, 'ForgotPassword', { Username: username });
const confirmForgot = (code: string, password = NEW_PASSWORD, username = 'alice@example.com') =>
  call(pool, 'ConfirmForgotPassword', { Username: username, ConfirmationCode: code, Password: password });
const signInStatus = async (password: string) => (await srpSignIn(pool, 'alice@example.com', password)).final.status;

describe('ForgotPassword + ConfirmForgotPassword', () => {
  it('resets the password with the emailed code, once', async () => {
    const response = await forgot('ALICE@example.com');
    expect(response.body).toEqual({
      CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    expect(sent).toEqual([
      { username: 'alice@example.com', medium: 'EMAIL', code: expect.stringMatching(/^\d{6}$/), kind: 'forgotPassword' },
    ]);
    const code = sent[0]?.code ?? '';
    expect((await confirmForgot(code)).status).toBe(200);
    expect(await signInStatus(NEW_PASSWORD)).toBe(200);
    expect(await signInStatus(STRONG_PASSWORD)).toBe(400);
    // A spent code is no pending code: a mismatch, as for a name with no account.
    expect(errorType(await confirmForgot(code, 'An0ther!pass'))).toBe('CodeMismatchException');
  });

  it('checks the new password before spending the code', async () => {
    await forgot();
    const code = sent[0]?.code ?? '';
    expect((await confirmForgot(code, 'weak')).body).toEqual({
      __type: 'InvalidPasswordException',
      message: 'Password did not conform with policy: Password not long enough',
    });
    expect((await confirmForgot(code)).status).toBe(200);
  });

  it('rejects wrong and expired (1 h) codes', async () => {
    await forgot();
    const code = sent[0]?.code ?? '';
    expect(errorType(await confirmForgot(code === '000000' ? '999999' : '000000'))).toBe('CodeMismatchException');
    clock.advance(3600 * 1000 + 1);
    expect(errorType(await confirmForgot(code))).toBe('ExpiredCodeException');
  });

  it('does not reveal unknown users', async () => {
    expect((await forgot('ghost@example.com')).status).toBe(200);
    expect(sent).toEqual([]);
    expect(errorType(await confirmForgot('123456', NEW_PASSWORD, 'ghost@example.com'))).toBe('CodeMismatchException');
  });

  it('needs a verified email', async () => {
    await pool.adminCreateUser({ email: 'new@example.com', password: STRONG_PASSWORD, confirmed: false });
    expect((await forgot('new@example.com')).body).toEqual({
      __type: 'InvalidParameterException',
      message: 'Cannot reset password for the user as there is no registered/verified email or phone_number',
    });
  });

  it('clears a password lockout', async () => {
    for (let i = 0; i < 5; i += 1) await srpSignIn(pool, 'alice@example.com', 'Wr0ng!pass');
    expect(await signInStatus(STRONG_PASSWORD)).toBe(400);
    await forgot();
    await confirmForgot(sent[0]?.code ?? '');
    expect(await signInStatus(NEW_PASSWORD)).toBe(200);
  });
});

describe('ChangePassword', () => {
  const change = (accessToken: string, previous: string, proposed: string) =>
    pool.handle({
      target: 'ChangePassword',
      body: { AccessToken: accessToken, PreviousPassword: previous, ProposedPassword: proposed },
    });

  it('changes the password when the previous one is right', async () => {
    const { AccessToken } = tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final);
    expect((await change(AccessToken, 'Wr0ng!pass', NEW_PASSWORD)).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(errorType(await change(AccessToken, STRONG_PASSWORD, 'weak'))).toBe('InvalidPasswordException');
    expect((await change(AccessToken, STRONG_PASSWORD, NEW_PASSWORD)).status).toBe(200);
    expect(await signInStatus(NEW_PASSWORD)).toBe(200);
  });

  it('refuses expired access tokens', async () => {
    const { AccessToken } = tokensOf((await srpSignIn(pool, 'alice@example.com', STRONG_PASSWORD)).final);
    clock.advance(3600 * 1000);
    expect((await change(AccessToken, STRONG_PASSWORD, NEW_PASSWORD)).body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Access Token has expired',
    });
  });
});
