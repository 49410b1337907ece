import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readUserPoolOutbox } from './outbox.js';
import type { LocalUserPool } from './pool.js';
import { DEFAULT_POOL_SETTINGS } from './settings.js';
import { bodyOf, call, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';

/**
 * Every kind of code the pool sends lands in its one outbox, with the code
 * that then works, and the terminal line stays.
 */

let dir: string;
let cleanup: () => Promise<void>;
let pool: LocalUserPool;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
  pool = testPool(dir, {
    settings: { ...DEFAULT_POOL_SETTINGS, mfaMode: 'OPTIONAL', mfaMethods: ['EMAIL'], passwordlessEmail: true },
  });
});
afterEach(() => cleanup());

async function newestTo(to: string) {
  const messages = await pool.outbox({ to });
  const last = messages.at(-1);
  if (!last) throw new Error(`no message to ${to}`);
  return last;
}

describe('the user pool outbox', () => {
  it('holds sign-up, reset, verification, email MFA and passwordless codes, each the one that works', async () => {
    const email = 'Outbox@Example.com';
    await call(pool, 'SignUp', { Username: email, Password: STRONG_PASSWORD });
    const signUp = await newestTo('outbox@example.com');
    expect(signUp).toMatchObject({ medium: 'EMAIL', kind: 'signUp', to: 'outbox@example.com', format: 'blocks-user-pool-message/1' });
    expect(signUp.text).toContain(signUp.code);
    expect((await call(pool, 'ConfirmSignUp', { Username: email, ConfirmationCode: signUp.code })).status).toBe(200);

    await call(pool, 'ForgotPassword', { Username: email });
    const reset = await newestTo(email);
    expect(reset.kind).toBe('forgotPassword');
    const newPassword = 'Another-Passw0rd';
    const confirmed = await call(pool, 'ConfirmForgotPassword', { Username: email, ConfirmationCode: reset.code, Password: newPassword });
    expect(confirmed.status).toBe(200);

    const { AccessToken } = tokensOf((await srpSignIn(pool, email, newPassword)).final);
    await call(pool, 'UpdateUserAttributes', { AccessToken, UserAttributes: [{ Name: 'email', Value: 'moved@example.com' }] });
    const verify = await newestTo('moved@example.com');
    expect(verify.kind).toBe('verifyEmail');
    expect((await call(pool, 'VerifyUserAttribute', { AccessToken, AttributeName: 'email', Code: verify.code })).status).toBe(200);

    await call(pool, 'SetUserMFAPreference', { AccessToken, EmailMfaSettings: { Enabled: true, PreferredMfa: true } });
    const challenge = bodyOf((await srpSignIn(pool, 'moved@example.com', newPassword)).final);
    expect(challenge.ChallengeName).toBe('EMAIL_OTP');
    const mfa = await newestTo('moved@example.com');
    expect(mfa.kind).toBe('signIn');
    const mfaDone = await call(pool, 'RespondToAuthChallenge', {
      ChallengeName: 'EMAIL_OTP',
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: 'moved@example.com', EMAIL_OTP_CODE: mfa.code },
    });
    expect(tokensOf(mfaDone).AccessToken).toBeTruthy();

    const otp = bodyOf(
      await call(pool, 'InitiateAuth', { AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'moved@example.com', PREFERRED_CHALLENGE: 'EMAIL_OTP' } }),
    );
    const passwordless = await newestTo('moved@example.com');
    expect(passwordless.messageId).not.toBe(mfa.messageId);
    const otpDone = await call(pool, 'RespondToAuthChallenge', {
      ChallengeName: 'EMAIL_OTP',
      Session: otp.Session,
      ChallengeResponses: { USERNAME: 'moved@example.com', EMAIL_OTP_CODE: passwordless.code },
    });
    expect(tokensOf(otpDone).AccessToken).toBeTruthy();

    const all = await readUserPoolOutbox(dir);
    expect(all.map((m) => m.kind)).toEqual(['signUp', 'forgotPassword', 'verifyEmail', 'signIn', 'signIn']);
    expect(all.every((m) => m.medium === 'EMAIL')).toBe(true);
  });

  it('sends nothing for a name with no account', async () => {
    await call(pool, 'ForgotPassword', { Username: 'ghost@example.com' });
    await call(pool, 'InitiateAuth', { AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'ghost@example.com', PREFERRED_CHALLENGE: 'EMAIL_OTP' } });
    expect(await pool.outbox()).toEqual([]);
  });

  it('skips files that are not messages and filters by medium', async () => {
    await call(pool, 'SignUp', { Username: 'a@example.com', Password: STRONG_PASSWORD });
    const outbox = path.join(dir, 'user-pool', 'outbox');
    await mkdir(outbox, { recursive: true });
    await writeFile(path.join(outbox, 'junk.json'), '{"format":"other"}');
    await writeFile(path.join(outbox, 'broken.json'), '{');
    expect((await pool.outbox()).map((m) => m.to)).toEqual(['a@example.com']);
    expect(await pool.outbox({ medium: 'SMS' })).toEqual([]);
  });

  it('keeps the terminal line beside the file', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    try {
      const noisy = testPool(dir, { onCode: undefined });
      await call(noisy, 'SignUp', { Username: 'loud@example.com', Password: STRONG_PASSWORD });
      const [message] = await noisy.outbox({ to: 'loud@example.com' });
      expect(info).toHaveBeenCalledWith(`[local user pool] sign-up confirmation code for loud@example.com: ${message?.code}`);
    } finally {
      info.mockRestore();
    }
  });
});
