import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeEvent } from './context.js';
import type { LocalUserPool } from './pool.js';
import { bodyOf, call, errorType, fakeClock, STRONG_PASSWORD, tempDataDir, testPool } from './testing/harness.js';

let dir: string;
let cleanup: () => Promise<void>;
let pool: LocalUserPool;
let clock: ReturnType<typeof fakeClock>;
let sent: CodeEvent[];

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
  clock = fakeClock();
  sent = [];
  pool = testPool(dir, { now: clock.now, onCode: (event) => sent.push(event) });
});
afterEach(() => cleanup());

const signUp = (username: string, password = STRONG_PASSWORD, extra: Record<string, unknown> = {}) =>
  call(pool, 'SignUp', { Username: username, Password: password, ...extra });

describe('SignUp', () => {
  it('creates an unconfirmed user and sends a 6-digit code', async () => {
    const response = await signUp('Alice@Example.com', STRONG_PASSWORD, {
      UserAttributes: [
        { Name: 'email', Value: 'alice@example.com' },
        { Name: 'name', Value: 'Alice' },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      UserConfirmed: false,
      CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    expect(bodyOf(response).UserSub).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent).toEqual([{ username: 'alice@example.com', medium: 'EMAIL', code: expect.stringMatching(/^\d{6}$/), kind: 'signUp' }]);
    expect(await pool.lastCode('ALICE@example.com')).toBe(sent[0]?.code);
  });

  it('refuses a second account for the same email, in any case', async () => {
    await signUp('alice@example.com');
    const again = await signUp('ALICE@example.com');
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      __type: 'UsernameExistsException',
      message: 'An account with the given email already exists.',
    });
  });

  it('allows only one of two concurrent sign-ups for one email', async () => {
    const results = await Promise.all([signUp('race@example.com'), signUp('race@example.com')]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it.each([
    ['too short', 'Password did not conform with policy: Password not long enough', 'Sh0rt!'],
    ['no uppercase', 'Password did not conform with policy: Password must have uppercase characters', 'passw0rd!'],
    ['no lowercase', 'Password did not conform with policy: Password must have lowercase characters', 'PASSW0RD!'],
    ['no digit', 'Password did not conform with policy: Password must have numeric characters', 'Password!'],
    ['no symbol', 'Password did not conform with policy: Password must have symbol characters', 'Passw0rdd'],
  ])('rejects a weak password (%s) with Cognito’s message', async (_label, message, password) => {
    const response = await signUp('weak@example.com', password);
    expect(response.body).toEqual({ __type: 'InvalidPasswordException', message });
    expect(await pool.lastCode('weak@example.com')).toBeUndefined();
  });

  it('follows a custom password policy', async () => {
    const lenient = testPool(dir, { passwordPolicy: { minLength: 6, requireSymbols: false, requireUppercase: false } });
    const response = await call(lenient, 'SignUp', { Username: 'easy@example.com', Password: 'abc123' });
    expect(response.status).toBe(200);
  });

  it('needs an email as username', async () => {
    const response = await signUp('alice');
    expect(response.body).toEqual({ __type: 'InvalidParameterException', message: 'Username should be an email.' });
  });

  it('refuses read-only and unknown attributes', async () => {
    const readOnly = await signUp('a@example.com', STRONG_PASSWORD, {
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
    });
    expect(errorType(readOnly)).toBe('NotAuthorizedException');
    const unknown = await signUp('a@example.com', STRONG_PASSWORD, {
      UserAttributes: [{ Name: 'shoe_size', Value: '9' }],
    });
    expect(errorType(unknown)).toBe('InvalidParameterException');
    const mismatch = await signUp('a@example.com', STRONG_PASSWORD, {
      UserAttributes: [{ Name: 'email', Value: 'b@example.com' }],
    });
    expect(errorType(mismatch)).toBe('InvalidParameterException');
  });

  it('rejects missing or mistyped fields without throwing', async () => {
    expect(errorType(await call(pool, 'SignUp', { Password: STRONG_PASSWORD }))).toBe('InvalidParameterException');
    expect(errorType(await call(pool, 'SignUp', { Username: 42, Password: STRONG_PASSWORD }))).toBe(
      'SerializationException',
    );
    expect(errorType(await signUp('a@example.com', STRONG_PASSWORD, { UserAttributes: 'email' }))).toBe(
      'SerializationException',
    );
  });
});

describe('ConfirmSignUp', () => {
  const confirm = (username: string, code: string) =>
    call(pool, 'ConfirmSignUp', { Username: username, ConfirmationCode: code });

  it('confirms with the right code, once', async () => {
    await signUp('bob@example.com');
    const code = sent[0]?.code ?? '';
    expect((await confirm('Bob@Example.com', code)).status).toBe(200);
    const reused = await confirm('bob@example.com', code);
    expect(reused.body).toEqual({
      __type: 'NotAuthorizedException',
      message: 'User cannot be confirmed. Current status is CONFIRMED',
    });
    expect(await pool.lastCode('bob@example.com')).toBeUndefined();
  });

  it('rejects a wrong code', async () => {
    await signUp('bob@example.com');
    const wrong = sent[0]?.code === '000000' ? '111111' : '000000';
    expect((await confirm('bob@example.com', wrong)).body).toEqual({
      __type: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
  });

  it('rejects an expired code (24 h by default)', async () => {
    await signUp('bob@example.com');
    clock.advance(24 * 3600 * 1000 + 1);
    expect((await confirm('bob@example.com', sent[0]?.code ?? '')).body).toEqual({
      __type: 'ExpiredCodeException',
      message: 'Invalid code provided, please request a code again.',
    });
  });

  it('honours codeTtlSeconds', async () => {
    pool = testPool(dir, { now: clock.now, onCode: (event) => sent.push(event), codeTtlSeconds: 60 });
    await signUp('bob@example.com');
    clock.advance(61_000);
    expect(errorType(await confirm('bob@example.com', sent[0]?.code ?? ''))).toBe('ExpiredCodeException');
  });

  it('locks code entry after 5 wrong codes', async () => {
    await signUp('bob@example.com');
    const right = sent[0]?.code ?? '';
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1)
      expect(errorType(await confirm('bob@example.com', wrong))).toBe('CodeMismatchException');
    expect((await confirm('bob@example.com', right)).body).toEqual({
      __type: 'LimitExceededException',
      message: 'Attempt limit exceeded, please try after some time.',
    });
    clock.advance(15 * 60 * 1000 + 1);
    expect((await confirm('bob@example.com', right)).status).toBe(200);
  });

  it('does not reveal unknown users', async () => {
    expect(errorType(await confirm('nobody@example.com', '123456'))).toBe('CodeMismatchException');
  });
});

describe('ResendConfirmationCode', () => {
  const resend = (username: string) => call(pool, 'ResendConfirmationCode', { Username: username });

  it('replaces the code; the old one stops working', async () => {
    await signUp('carol@example.com');
    const first = sent[0]?.code ?? '';
    clock.advance(1000);
    const response = await resend('carol@example.com');
    expect(response.body).toMatchObject({ CodeDeliveryDetails: { DeliveryMedium: 'EMAIL' } });
    const second = sent[1]?.code ?? '';
    expect(await pool.lastCode('carol@example.com')).toBe(second);
    if (first !== second) {
      expect(
        errorType(await call(pool, 'ConfirmSignUp', { Username: 'carol@example.com', ConfirmationCode: first })),
      ).toBe('CodeMismatchException');
    }
    expect(
      (await call(pool, 'ConfirmSignUp', { Username: 'carol@example.com', ConfirmationCode: second })).status,
    ).toBe(200);
  });

  it('refuses confirmed users and answers unknown ones without sending', async () => {
    await pool.adminCreateUser({ email: 'dan@example.com', password: STRONG_PASSWORD });
    expect((await resend('dan@example.com')).body).toEqual({
      __type: 'InvalidParameterException',
      message: 'User is already confirmed.',
    });
    expect((await resend('ghost@example.com')).status).toBe(200);
    expect(sent).toEqual([]);
  });

  it('limits how many codes one user can be sent', async () => {
    await signUp('erin@example.com');
    const results = [];
    for (let i = 0; i < 10; i += 1) results.push((await resend('erin@example.com')).status);
    expect(results.slice(0, 9).every((status) => status === 200)).toBe(true);
    expect(results[9]).toBe(400);
    expect(errorType(await resend('erin@example.com'))).toBe('LimitExceededException');
  });
});
