import path from 'node:path';
import { Amplify } from 'aws-amplify';
import {
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
import { deriveAuthDefinition } from '../../dev/auth-definition/derive.js';
import { localAuthOutputs } from '../../dev/auth-definition/outputs.js';
import { synthesizeAuth } from '../../dev/auth-definition/synthesize.js';
import { errorName, recordCognitoTargets } from './testing/amplify-client.js';
import { servePool, tempDataDir, type ServedPool } from './testing/harness.js';
import { totpCode, totpStep } from './totp.js';

/**
 * The unmodified aws-amplify v6 client against a local pool that follows a
 * fork's phone sign-in definition (tests/fixtures/auth-phone-app: email or
 * phone, SMS_OTP, optional SMS and TOTP MFA), configured from the local
 * outputs as the app is: sign-up by phone with the code texted to the
 * outbox, SMS MFA, the choice between SMS and TOTP (SELECT_MFA_TYPE), and
 * passwordless SMS codes.
 */

const fixture = path.resolve(import.meta.dirname, '../../../../../tests/fixtures/auth-phone-app');
const password = 'Correct-horse-1';
const calls: string[] = [];
let served: ServedPool;
let cleanup: () => Promise<void>;
let numbers = 0;

/** A fresh number per test: each is a sign-in name. */
const newPhone = () => `+1555${String(Date.now() % 1_000_000).padStart(6, '0')}${numbers++}`.slice(0, 13);

async function lastSms(to: string): Promise<string> {
  const message = (await served.pool.outbox({ to, medium: 'SMS' })).at(-1);
  if (!message) throw new Error(`no SMS to ${to}`);
  return message.code;
}

async function signUpByPhone(phone: string): Promise<void> {
  const email = `${phone.slice(1)}@example.com`;
  const started = await signUp({ username: phone, password, options: { userAttributes: { email, phone_number: phone } } });
  expect(started.nextStep).toMatchObject({
    signUpStep: 'CONFIRM_SIGN_UP',
    codeDeliveryDetails: { deliveryMedium: 'SMS', attributeName: 'phone_number', destination: `+*******${phone.slice(-4)}` },
  });
  const confirmed = await confirmSignUp({ username: phone, confirmationCode: await lastSms(phone) });
  expect(confirmed.isSignUpComplete).toBe(true);
}

beforeAll(async () => {
  const definition = deriveAuthDefinition(await synthesizeAuth(fixture, path.join(fixture, 'amplify/backend.ts')));
  const temp = await tempDataDir();
  cleanup = temp.cleanup;
  served = await servePool(temp.dir, { settings: definition.settings });
  recordCognitoTargets(served, calls);
  // The app's way: the local amplify_outputs, plus the local pool's endpoint.
  const auth = localAuthOutputs(definition, { userPoolId: served.pool.userPoolId, clientId: served.pool.clientId });
  Amplify.configure({ version: '1.4', auth } as Parameters<typeof Amplify.configure>[0]);
  const config = Amplify.getConfig();
  const cognito = config.Auth?.Cognito;
  if (!cognito?.userPoolId || !cognito.userPoolClientId) throw new Error('no user pool in the local outputs');
  expect(cognito.loginWith).toMatchObject({ email: true, phone: true });
  const { userPoolId, userPoolClientId, loginWith, mfa, passwordless, userAttributes, passwordFormat, signUpVerificationMethod } = cognito;
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId,
        userPoolClientId,
        userPoolEndpoint: served.endpoint,
        loginWith,
        mfa,
        passwordless,
        userAttributes,
        passwordFormat,
        signUpVerificationMethod,
      },
    },
  });
});

afterAll(async () => {
  await served.pool.outbox();
  await served.close();
  await cleanup();
});

describe('SMS MFA', () => {
  const phone = newPhone();

  it('signs up by phone number, turns SMS MFA on, and is asked for the texted code', async () => {
    await signUpByPhone(phone);
    expect((await signIn({ username: phone, password })).isSignedIn).toBe(true);
    await updateMFAPreference({ sms: 'PREFERRED' });
    expect(await fetchMFAPreference()).toEqual({ enabled: ['SMS'], preferred: 'SMS' });
    await signOut();

    calls.length = 0;
    const first = await signIn({ username: phone, password });
    expect(first.nextStep).toMatchObject({
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: `+*******${phone.slice(-4)}` },
    });
    const code = await lastSms(phone);
    expect(await errorName(confirmSignIn({ challengeResponse: code === '000000' ? '111111' : '000000' }))).toBe('CodeMismatchException');
    expect((await confirmSignIn({ challengeResponse: code })).isSignedIn).toBe(true);
    expect((await getCurrentUser()).signInDetails?.loginId).toBe(phone);
    expect(calls).toEqual(['InitiateAuth', 'RespondToAuthChallenge', 'RespondToAuthChallenge', 'RespondToAuthChallenge']);
    await signOut();
  });

  it('lets the user choose between SMS and an authenticator app when both are on and none is preferred', async () => {
    await signIn({ username: phone, password });
    await confirmSignIn({ challengeResponse: await lastSms(phone) });
    const setup = await setUpTOTP();
    await verifyTOTPSetup({ code: totpCode(setup.sharedSecret, totpStep(Date.now())) });
    // ENABLED keeps SMS preferred, as in Cognito; NOT_PREFERRED clears it.
    await updateMFAPreference({ sms: 'NOT_PREFERRED', totp: 'ENABLED' });
    expect(await fetchMFAPreference()).toEqual({ enabled: ['SMS', 'TOTP'] });
    await signOut();

    const first = await signIn({ username: phone, password });
    expect(first.nextStep).toMatchObject({ signInStep: 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION' });
    if (first.nextStep.signInStep !== 'CONTINUE_SIGN_IN_WITH_MFA_SELECTION') throw new Error('unreachable');
    expect([...(first.nextStep.allowedMFATypes ?? [])].sort()).toEqual(['SMS', 'TOTP']);
    const chosen = await confirmSignIn({ challengeResponse: 'SMS' });
    expect(chosen.nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_SMS_CODE');
    expect((await confirmSignIn({ challengeResponse: await lastSms(phone) })).isSignedIn).toBe(true);
    await signOut();
  });
});

describe('passwordless SMS codes (USER_AUTH)', () => {
  it('signs in with a code texted to the phone instead of a password', async () => {
    const phone = newPhone();
    await signUpByPhone(phone);
    calls.length = 0;
    const first = await signIn({ username: phone, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } });
    expect(first.nextStep).toMatchObject({
      signInStep: 'CONFIRM_SIGN_IN_WITH_SMS_CODE',
      codeDeliveryDetails: { deliveryMedium: 'SMS', destination: `+*******${phone.slice(-4)}` },
    });
    expect((await confirmSignIn({ challengeResponse: await lastSms(phone) })).isSignedIn).toBe(true);
    expect(calls).toEqual(['InitiateAuth', 'RespondToAuthChallenge']);
    await signOut();
  });

  it('offers SMS_OTP when the client lets the user choose (SELECT_CHALLENGE)', async () => {
    const phone = newPhone();
    await signUpByPhone(phone);
    const first = await signIn({ username: phone, options: { authFlowType: 'USER_AUTH' } });
    expect(first.nextStep).toMatchObject({
      signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION',
      availableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'SMS_OTP'],
    });
    expect((await confirmSignIn({ challengeResponse: 'SMS_OTP' })).nextStep.signInStep).toBe('CONFIRM_SIGN_IN_WITH_SMS_CODE');
    expect((await confirmSignIn({ challengeResponse: await lastSms(phone) })).isSignedIn).toBe(true);
    await signOut();
  });
});
