import { randomBytes } from 'node:crypto';
import {
  autoSignIn,
  confirmSignIn,
  confirmSignUp,
  fetchMFAPreference,
  getCurrentUser,
  setUpTOTP,
  signIn,
  signOut,
  signUp,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from './settings.js';
import { errorName, pointAmplifyAt, recordCognitoTargets } from './testing/amplify-client.js';
import { servePool, tempDataDir, type ServedPool } from './testing/harness.js';
import { totpCode, totpStep } from './totp.js';

/**
 * The unmodified aws-amplify v6 client signs in with a second factor and
 * without a password against the local pool: TOTP set up from the account
 * (MFA optional) and at first sign-in (MFA required), and email codes with
 * USER_AUTH. The test computes TOTP codes itself from the shared secret.
 */

const calls: string[] = [];
let cleanup: () => Promise<void>;
let dataDir: string;
const servers: ServedPool[] = [];

const password = 'Correct-horse-1';
const randomEmail = () => `mfa-${randomBytes(6).toString('hex')}@example.com`;

/** The code of a later step than any used so far: a TOTP code works only once. */
const codeAt = (secret: string, stepsAhead: number) => totpCode(secret, totpStep(Date.now()) + stepsAhead);

async function usePool(settings: Partial<PoolSettings>): Promise<ServedPool> {
  const served = await servePool(dataDir, { settings: { ...DEFAULT_POOL_SETTINGS, ...settings } });
  servers.push(served);
  recordCognitoTargets(served, calls);
  pointAmplifyAt(served, { email: true });
  return served;
}

async function signUpConfirmed(served: ServedPool, email: string): Promise<void> {
  await signUp({ username: email, password, options: { userAttributes: { email } } });
  await confirmSignUp({ username: email, confirmationCode: (await served.pool.lastCode(email)) ?? '' });
}

beforeAll(async () => {
  ({ dir: dataDir, cleanup } = await tempDataDir());
});

afterAll(async () => {
  for (const served of servers) await served.close();
  await cleanup();
});

describe('TOTP, MFA optional', () => {
  let served: ServedPool;
  const email = randomEmail();
  let secret = '';

  beforeAll(async () => {
    served = await usePool({ mfaMode: 'OPTIONAL', mfaMethods: ['TOTP'] });
    await signUpConfirmed(served, email);
  });

  it('is set up from a signed-in account', async () => {
    expect((await signIn({ username: email, password })).isSignedIn).toBe(true);
    calls.length = 0;
    const setup = await setUpTOTP();
    secret = setup.sharedSecret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.getSetupUri('Blocks', email).toString()).toContain(`secret=${secret}`);
    expect(await errorName(verifyTOTPSetup({ code: codeAt(secret, 5) }))).toBe('EnableSoftwareTokenMFAException');
    await verifyTOTPSetup({ code: codeAt(secret, 0) });
    await updateMFAPreference({ totp: 'PREFERRED' });
    expect(await fetchMFAPreference()).toEqual({ enabled: ['TOTP'], preferred: 'TOTP' });
    expect(calls).toEqual([
      'AssociateSoftwareToken',
      'VerifySoftwareToken',
      'VerifySoftwareToken',
      'SetUserMFAPreference',
      'GetUser',
    ]);
    await signOut();
  });

  it('is asked for at sign-in; a wrong code fails, the right one signs in', async () => {
    const first = await signIn({ username: email, password });
    expect(first.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    expect(await errorName(confirmSignIn({ challengeResponse: codeAt(secret, 7) }))).toBe('CodeMismatchException');
    const done = await confirmSignIn({ challengeResponse: codeAt(secret, 1) });
    expect(done.isSignedIn).toBe(true);
    expect((await getCurrentUser()).signInDetails?.loginId).toBe(email);
    await signOut();
  });
});

describe('TOTP, MFA required', () => {
  it('is set up at first sign-in (MFA_SETUP) and asked for after that', async () => {
    const served = await usePool({ mfaMode: 'ON', mfaMethods: ['TOTP'] });
    const email = randomEmail();
    await signUpConfirmed(served, email);
    const first = await signIn({ username: email, password });
    expect(first.nextStep.signInStep).toBe('CONTINUE_SIGN_IN_WITH_TOTP_SETUP');
    if (first.nextStep.signInStep !== 'CONTINUE_SIGN_IN_WITH_TOTP_SETUP') throw new Error('unreachable');
    const secret = first.nextStep.totpSetupDetails.sharedSecret;
    const done = await confirmSignIn({ challengeResponse: codeAt(secret, 0) });
    expect(done.isSignedIn).toBe(true);
    await signOut();

    const again = await signIn({ username: email, password });
    expect(again.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    expect((await confirmSignIn({ challengeResponse: codeAt(secret, 1) })).isSignedIn).toBe(true);
    await signOut();
  });
});

describe('email codes as the second factor, MFA optional', () => {
  it('are turned on from the account and asked for at sign-in', async () => {
    const served = await usePool({ mfaMode: 'OPTIONAL', mfaMethods: ['EMAIL'] });
    const email = randomEmail();
    await signUpConfirmed(served, email);
    await signIn({ username: email, password });
    await updateMFAPreference({ email: 'PREFERRED' });
    expect(await fetchMFAPreference()).toEqual({ enabled: ['EMAIL'], preferred: 'EMAIL' });
    await signOut();

    const first = await signIn({ username: email, password });
    expect(first.nextStep).toMatchObject({
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'm***@e***' },
    });
    expect((await confirmSignIn({ challengeResponse: (await served.pool.lastCode(email)) ?? '' })).isSignedIn).toBe(true);
    await signOut();
  });
});

describe('passwordless email codes (USER_AUTH)', () => {
  let served: ServedPool;
  const email = randomEmail();

  beforeAll(async () => {
    served = await usePool({ passwordlessEmail: true });
    await signUpConfirmed(served, email);
  });

  it('signs in with a code sent by email instead of a password', async () => {
    calls.length = 0;
    const first = await signIn({ username: email, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    expect(first.nextStep).toMatchObject({
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'm***@e***' },
    });
    expect(await errorName(confirmSignIn({ challengeResponse: '000000' === (await served.pool.lastCode(email)) ? '111111' : '000000' }))).toBe(
      'CodeMismatchException',
    );
    const done = await confirmSignIn({ challengeResponse: (await served.pool.lastCode(email)) ?? '' });
    expect(done.isSignedIn).toBe(true);
    expect(calls).toEqual(['InitiateAuth', 'RespondToAuthChallenge', 'RespondToAuthChallenge']);
    await signOut();
  });

  it('signs up without a password and is signed in once the email code is confirmed', async () => {
    const fresh = randomEmail();
    calls.length = 0;
    const started = await signUp({
      username: fresh,
      options: { userAttributes: { email: fresh }, autoSignIn: { authFlowType: 'USER_AUTH' } },
    });
    expect(started.nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');
    const confirmed = await confirmSignUp({ username: fresh, confirmationCode: (await served.pool.lastCode(fresh)) ?? '' });
    expect(confirmed.nextStep.signUpStep).toBe('COMPLETE_AUTO_SIGN_IN');
    expect((await autoSignIn()).isSignedIn).toBe(true);
    expect((await getCurrentUser()).signInDetails?.loginId).toBe(fresh);
    expect(calls).toEqual(['SignUp', 'ConfirmSignUp', 'InitiateAuth']);
    await signOut();
  });

  it('offers the email code when the client lets the user choose (SELECT_CHALLENGE)', async () => {
    const first = await signIn({ username: email, options: { authFlowType: 'USER_AUTH' } });
    expect(first.nextStep).toMatchObject({
      signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
      availableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP'],
    });
    const code = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
    expect(code.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    expect((await confirmSignIn({ challengeResponse: (await served.pool.lastCode(email)) ?? '' })).isSignedIn).toBe(true);
    await signOut();
  });

  it('still signs in with the password through USER_AUTH (PASSWORD_SRP, chosen up front or from the list)', async () => {
    const srp = await signIn({ username: email, password, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' } });
    expect(srp.isSignedIn).toBe(true);
    await signOut();
    await signIn({ username: email, options: { authFlowType: 'USER_AUTH' } });
    expect((await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_PASSWORD');
    expect((await confirmSignIn({ challengeResponse: password })).isSignedIn).toBe(true);
    await signOut();
  });
});
