import { beforeEach, afterEach, describe, expect, it } from 'vitest';
import type { LocalUserPool } from './pool.js';
import { DEFAULT_POOL_SETTINGS } from './settings.js';
import { bodyOf, call, errorType, fakeClock, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';
import { totpCode, totpStep } from './totp.js';

/**
 * The sign-in challenge sessions and TOTP rules an attacker would test:
 * sessions are sealed, single-use, short-lived and bound to their step; TOTP
 * codes lock out like other codes; MFA cannot be switched on half set up.
 */

const EMAIL = 'totp@example.com';
let cleanup: () => Promise<void>;
let pool: LocalUserPool;
let clock: ReturnType<typeof fakeClock>;
let secret: string;

const code = (stepsAhead = 0) => totpCode(secret, totpStep(clock.now()) + stepsAhead);
const respondTotp = (session: unknown, value: string) =>
  call(pool, 'RespondToAuthChallenge', {
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    Session: session,
    ChallengeResponses: { USERNAME: EMAIL, SOFTWARE_TOKEN_MFA_CODE: value },
  });

async function challengeSession(): Promise<unknown> {
  const { final } = await srpSignIn(pool, EMAIL, STRONG_PASSWORD);
  expect(bodyOf(final).ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
  return bodyOf(final).Session;
}

beforeEach(async () => {
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  clock = fakeClock();
  pool = testPool(temp.dir, {
    now: clock.now,
    settings: { ...DEFAULT_POOL_SETTINGS, mfaMode: 'OPTIONAL', mfaMethods: ['TOTP'] },
  });
  await pool.adminCreateUser({ email: EMAIL, password: STRONG_PASSWORD });
  const { AccessToken } = tokensOf((await srpSignIn(pool, EMAIL, STRONG_PASSWORD)).final);
  const half = await call(pool, 'SetUserMFAPreference', {
    AccessToken,
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  });
  expect(bodyOf(half)).toEqual({ __type: 'InvalidParameterException', message: 'User has not verified software token mfa' });
  secret = String(bodyOf(await call(pool, 'AssociateSoftwareToken', { AccessToken })).SecretCode);
  expect(bodyOf(await call(pool, 'VerifySoftwareToken', { AccessToken, UserCode: code() }))).toEqual({ Status: 'SUCCESS' });
  await call(pool, 'SetUserMFAPreference', { AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
  clock.advance(60_000);
});
afterEach(() => cleanup());

describe('SOFTWARE_TOKEN_MFA sessions', () => {
  it('work once', async () => {
    const session = await challengeSession();
    expect(tokensOf(await respondTotp(session, code())).AccessToken).toBeTruthy();
    clock.advance(30_000);
    expect(bodyOf(await respondTotp(session, code()))).toEqual({
      __type: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
  });

  it('refuse forged, expired and other-step sessions', async () => {
    const session = String(await challengeSession());
    const forged = Buffer.from(session, 'base64');
    forged[forged.length - 1]! ^= 1;
    expect(errorType(await respondTotp(forged.toString('base64'), code()))).toBe('NotAuthorizedException');
    const asEmail = await call(pool, 'RespondToAuthChallenge', {
      ChallengeName: 'EMAIL_OTP',
      Session: session,
      ChallengeResponses: { USERNAME: EMAIL, EMAIL_OTP_CODE: '123456' },
    });
    expect(errorType(asEmail)).toBe('NotAuthorizedException');
    clock.advance(4 * 60_000);
    expect(bodyOf(await respondTotp(session, code())).message).toBe('Invalid session for the user, session is expired.');
  });

  it('lock out after five wrong codes, like every other code', async () => {
    const session = await challengeSession();
    const wrong = code(5);
    for (let i = 0; i < 5; i += 1) expect(errorType(await respondTotp(session, wrong))).toBe('CodeMismatchException');
    expect(errorType(await respondTotp(session, code()))).toBe('LimitExceededException');
  });
});

describe('a pool without TOTP', () => {
  it('refuses to set one up', async () => {
    const temp = await tempDataDir();
    try {
      const plain = testPool(temp.dir);
      await plain.adminCreateUser({ email: EMAIL, password: STRONG_PASSWORD });
      const { AccessToken } = tokensOf((await srpSignIn(plain, EMAIL, STRONG_PASSWORD)).final);
      expect(errorType(await call(plain, 'AssociateSoftwareToken', { AccessToken }))).toBe('InvalidParameterException');
    } finally {
      await temp.cleanup();
    }
  });
});
