import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LocalUserPool } from './pool.js';
import { DEFAULT_POOL_SETTINGS, type PoolSettings } from './settings.js';
import { bodyOf, call, decodePayload, fakeClock, srpSignIn, STRONG_PASSWORD, tempDataDir, testPool, tokensOf } from './testing/harness.js';
import { totpCode, totpStep } from './totp.js';

/**
 * Phone numbers in the local pool, as Amplify's `loginWith: { email: true,
 * phone: { otpLogin: true } }` and `multifactor: { sms: true, totp: true }`
 * configure a real one: sign-up and sign-in by phone, codes by SMS to the
 * outbox, SMS_MFA, SELECT_MFA_TYPE and SMS_OTP.
 */

const PHONE = '+15550104567';
const EMAIL = 'phone-user@example.com';
const PHONE_POOL: PoolSettings = {
  ...DEFAULT_POOL_SETTINGS,
  requiredAttributes: ['email', 'phone_number'],
  usernameAttributes: ['email', 'phone_number'],
  autoVerifiedAttributes: ['email', 'phone_number'],
  mfaMode: 'OPTIONAL',
  mfaMethods: ['TOTP', 'SMS'],
  passwordlessSms: true,
};

let dir: string;
let cleanup: () => Promise<void>;
let clock: ReturnType<typeof fakeClock>;
let pool: LocalUserPool;

const usePool = (settings: Partial<PoolSettings>) => {
  pool = testPool(dir, { now: clock.now, settings: { ...DEFAULT_POOL_SETTINGS, ...settings } });
  return pool;
};

/** The newest SMS to `to` in the outbox. */
async function lastSms(to = PHONE) {
  const message = (await pool.outbox({ to, medium: 'SMS' })).at(-1);
  if (!message) throw new Error(`no SMS to ${to}`);
  return message;
}

async function signUpByPhone(): Promise<void> {
  const response = bodyOf(
    await call(pool, 'SignUp', {
      Username: PHONE,
      Password: STRONG_PASSWORD,
      UserAttributes: [{ Name: 'email', Value: EMAIL }],
    }),
  );
  expect(response.CodeDeliveryDetails).toEqual({ Destination: '+*******4567', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
  const sms = await lastSms();
  expect(sms).toMatchObject({ kind: 'signUp', medium: 'SMS', to: PHONE });
  expect((await call(pool, 'ConfirmSignUp', { Username: PHONE, ConfirmationCode: sms.code })).status).toBe(200);
}

async function accessToken(login = PHONE): Promise<string> {
  return tokensOf((await srpSignIn(pool, login, STRONG_PASSWORD)).final).AccessToken;
}

beforeEach(async () => {
  ({ dir, cleanup } = await tempDataDir());
  clock = fakeClock();
  usePool(PHONE_POOL);
});
afterEach(async () => {
  await pool.outbox(); // lets SMS writes still in flight land before the directory goes
  await cleanup();
});

describe('sign-in names', () => {
  it('signs up by phone (code by SMS), then signs in by phone or email, with phone claims', async () => {
    await signUpByPhone();
    const byPhone = decodePayload(tokensOf((await srpSignIn(pool, PHONE, STRONG_PASSWORD)).final).IdToken);
    expect(byPhone).toMatchObject({ phone_number: PHONE, phone_number_verified: true, email: EMAIL, email_verified: false });
    const byEmail = decodePayload(tokensOf((await srpSignIn(pool, EMAIL.toUpperCase(), STRONG_PASSWORD)).final).IdToken);
    expect(byEmail.sub).toBe(byPhone.sub);
    const user = bodyOf(await call(pool, 'GetUser', { AccessToken: await accessToken() }));
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'phone_number', Value: PHONE },
        { Name: 'phone_number_verified', Value: 'true' },
      ]),
    );
  });

  it('refuses names and numbers the pool does not take, in Cognito’s words', async () => {
    const signUp = (Username: string, attributes: { Name: string; Value: string }[] = []) =>
      call(pool, 'SignUp', { Username, Password: STRONG_PASSWORD, UserAttributes: attributes }).then(bodyOf);
    expect(await signUp('555-0104')).toEqual({
      __type: 'InvalidParameterException',
      message: 'Username should be either an email or a phone number.',
    });
    expect(await signUp(EMAIL, [{ Name: 'phone_number', Value: '(555) 010-4567' }])).toEqual({
      __type: 'InvalidParameterException',
      message: 'Invalid phone number format.',
    });
    expect(await signUp(EMAIL)).toEqual({
      __type: 'InvalidParameterException',
      message: 'Attributes did not conform to the schema: phone_number: The attribute phone_number is required',
    });
    await signUpByPhone();
    expect(await signUp(PHONE, [{ Name: 'email', Value: 'other@example.com' }])).toEqual({
      __type: 'UsernameExistsException',
      message: 'An account with the given phone_number already exists.',
    });
    usePool({ ...PHONE_POOL, usernameAttributes: ['phone_number'], requiredAttributes: ['phone_number'] });
    expect(await signUp(EMAIL)).toEqual({ __type: 'InvalidParameterException', message: 'Username should be a phone number.' });
  });

  it('does not sign in by phone number where the pool signs in by email only', async () => {
    usePool({ ...DEFAULT_POOL_SETTINGS, mfaMode: 'OPTIONAL', mfaMethods: ['SMS'] });
    await pool.adminCreateUser({ email: EMAIL, password: STRONG_PASSWORD, attributes: { phone_number: PHONE } });
    expect(bodyOf((await srpSignIn(pool, PHONE, STRONG_PASSWORD)).final).__type).toBe('NotAuthorizedException');
    expect(tokensOf((await srpSignIn(pool, EMAIL, STRONG_PASSWORD)).final).AccessToken).toBeTruthy();
  });
});

describe('SMS MFA', () => {
  it('sends SMS_MFA after the password; the texted code signs in once, a wrong one fails', async () => {
    await signUpByPhone();
    const AccessToken = await accessToken();
    await call(pool, 'SetUserMFAPreference', { AccessToken, SMSMfaSettings: { Enabled: true, PreferredMfa: true } });
    expect(bodyOf(await call(pool, 'GetUser', { AccessToken }))).toMatchObject({
      UserMFASettingList: ['SMS_MFA'],
      PreferredMfaSetting: 'SMS_MFA',
    });
    const challenge = bodyOf((await srpSignIn(pool, PHONE, STRONG_PASSWORD)).final);
    expect(challenge).toMatchObject({
      ChallengeName: 'SMS_MFA',
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******4567' },
    });
    const sms = await lastSms();
    expect(sms.kind).toBe('signIn');
    const respond = (code: string) =>
      call(pool, 'RespondToAuthChallenge', {
        ChallengeName: 'SMS_MFA',
        Session: challenge.Session,
        ChallengeResponses: { USERNAME: PHONE, SMS_MFA_CODE: code },
      });
    expect(bodyOf(await respond(sms.code === '000000' ? '111111' : '000000')).__type).toBe('CodeMismatchException');
    expect(tokensOf(await respond(sms.code)).AccessToken).toBeTruthy();
    expect(bodyOf(await respond(sms.code)).__type).toBe('NotAuthorizedException');
  });

  it('is used at once where MFA is required and the user has a phone number; others set up TOTP', async () => {
    usePool({ ...DEFAULT_POOL_SETTINGS, mfaMode: 'ON', mfaMethods: ['TOTP', 'SMS'] });
    await pool.adminCreateUser({ email: EMAIL, password: STRONG_PASSWORD, attributes: { phone_number: PHONE } });
    await pool.adminCreateUser({ email: 'no-phone@example.com', password: STRONG_PASSWORD });
    expect(bodyOf((await srpSignIn(pool, EMAIL, STRONG_PASSWORD)).final).ChallengeName).toBe('SMS_MFA');
    expect((await lastSms()).kind).toBe('signIn');
    expect(bodyOf((await srpSignIn(pool, 'no-phone@example.com', STRONG_PASSWORD)).final).ChallengeName).toBe('MFA_SETUP');
  });

  it('needs a phone number to turn on', async () => {
    usePool({ ...DEFAULT_POOL_SETTINGS, mfaMode: 'OPTIONAL', mfaMethods: ['SMS'] });
    await pool.adminCreateUser({ email: EMAIL, password: STRONG_PASSWORD });
    const AccessToken = tokensOf((await srpSignIn(pool, EMAIL, STRONG_PASSWORD)).final).AccessToken;
    expect(bodyOf(await call(pool, 'SetUserMFAPreference', { AccessToken, SMSMfaSettings: { Enabled: true } }))).toEqual({
      __type: 'InvalidParameterException',
      message: 'User does not have delivery config set to turn on SMS_MFA',
    });
  });

  it('asks which factor (SELECT_MFA_TYPE) when several are on and none is preferred', async () => {
    await signUpByPhone();
    const AccessToken = await accessToken();
    const secret = String(bodyOf(await call(pool, 'AssociateSoftwareToken', { AccessToken })).SecretCode);
    const totp = (ahead: number) => totpCode(secret, totpStep(clock.now()) + ahead);
    expect(bodyOf(await call(pool, 'VerifySoftwareToken', { AccessToken, UserCode: totp(0) }))).toEqual({ Status: 'SUCCESS' });
    await call(pool, 'SetUserMFAPreference', {
      AccessToken,
      SMSMfaSettings: { Enabled: true },
      SoftwareTokenMfaSettings: { Enabled: true },
    });
    const select = bodyOf((await srpSignIn(pool, PHONE, STRONG_PASSWORD)).final);
    expect(select).toMatchObject({ ChallengeName: 'SELECT_MFA_TYPE', ChallengeParameters: { MFAS_CAN_CHOOSE: '["SOFTWARE_TOKEN_MFA","SMS_MFA"]' } });
    const choose = (answer: string) =>
      call(pool, 'RespondToAuthChallenge', { ChallengeName: 'SELECT_MFA_TYPE', Session: select.Session, ChallengeResponses: { USERNAME: PHONE, ANSWER: answer } });
    expect(bodyOf(await choose('EMAIL_OTP')).__type).toBe('InvalidParameterException');
    const chosen = bodyOf(await choose('SOFTWARE_TOKEN_MFA'));
    expect(chosen.ChallengeName).toBe('SOFTWARE_TOKEN_MFA');
    clock.advance(30_000);
    const done = await call(pool, 'RespondToAuthChallenge', {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: chosen.Session,
      ChallengeResponses: { USERNAME: PHONE, SOFTWARE_TOKEN_MFA_CODE: totp(0) },
    });
    expect(tokensOf(done).AccessToken).toBeTruthy();
    // The selection session is spent with the choice.
    expect(bodyOf(await choose('SMS_MFA')).__type).toBe('NotAuthorizedException');

    // A preferred factor skips the question.
    await call(pool, 'SetUserMFAPreference', { AccessToken: tokensOf(done).AccessToken, SMSMfaSettings: { Enabled: true, PreferredMfa: true } });
    expect(bodyOf((await srpSignIn(pool, PHONE, STRONG_PASSWORD)).final).ChallengeName).toBe('SMS_MFA');
  });
});

describe('SMS_OTP passwordless', () => {
  const start = (USERNAME: string) =>
    call(pool, 'InitiateAuth', { AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME, PREFERRED_CHALLENGE: 'SMS_OTP' } }).then(bodyOf);
  const respond = (Session: unknown, USERNAME: string, code: string) =>
    call(pool, 'RespondToAuthChallenge', { ChallengeName: 'SMS_OTP', Session, ChallengeResponses: { USERNAME, SMS_OTP_CODE: code } });

  it('texts a code that signs in without a password', async () => {
    await signUpByPhone();
    const challenge = await start(PHONE);
    expect(challenge).toMatchObject({ ChallengeName: 'SMS_OTP', ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS' } });
    const sms = await lastSms();
    expect(sms.kind).toBe('signIn');
    expect(decodePayload(tokensOf(await respond(challenge.Session, PHONE, sms.code)).IdToken).phone_number).toBe(PHONE);
  });

  it('answers a number with no account the same way, sends nothing, and refuses every code', async () => {
    const challenge = await start('+15550109999');
    expect(challenge).toMatchObject({
      ChallengeName: 'SMS_OTP',
      ChallengeParameters: { CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS', CODE_DELIVERY_DESTINATION: '+*******9999' },
    });
    expect(await pool.outbox()).toEqual([]);
    expect(bodyOf(await respond(challenge.Session, '+15550109999', '123456')).__type).toBe('CodeMismatchException');
  });

  it('lists SMS_OTP among the first factors only where the pool enables it', async () => {
    const select = bodyOf(await call(pool, 'InitiateAuth', { AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: PHONE } }));
    expect(select.AvailableChallenges).toEqual(['PASSWORD', 'PASSWORD_SRP', 'SMS_OTP']);
    expect((await start(PHONE)).ChallengeName).toBe('SMS_OTP');
    usePool({ ...PHONE_POOL, passwordlessSms: false, passwordlessEmail: true });
    expect((await start(PHONE)).__type).toBe('InvalidParameterException');
  });
});

describe('phone number changes', () => {
  it('keep the old number for sign-in until the new one is verified by SMS', async () => {
    await signUpByPhone();
    const AccessToken = await accessToken();
    const next = '+15550107777';
    const update = bodyOf(await call(pool, 'UpdateUserAttributes', { AccessToken, UserAttributes: [{ Name: 'phone_number', Value: next }] }));
    expect(update.CodeDeliveryDetailsList).toEqual([{ Destination: '+*******7777', DeliveryMedium: 'SMS', AttributeName: 'phone_number' }]);
    expect(tokensOf((await srpSignIn(pool, PHONE, STRONG_PASSWORD)).final).AccessToken).toBeTruthy();
    const sms = await lastSms(next);
    expect(sms.kind).toBe('verifyPhone');
    expect((await call(pool, 'VerifyUserAttribute', { AccessToken, AttributeName: 'phone_number', Code: sms.code })).status).toBe(200);
    expect(tokensOf((await srpSignIn(pool, next, STRONG_PASSWORD)).final).AccessToken).toBeTruthy();
    expect(bodyOf((await srpSignIn(pool, PHONE, STRONG_PASSWORD)).final).__type).toBe('NotAuthorizedException');
  });
});
