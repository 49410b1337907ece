/**
 * The second step of a sign-in, as Cognito runs it once the password was
 * right: a SOFTWARE_TOKEN_MFA, EMAIL_OTP or SMS_MFA challenge for users with
 * MFA on (SELECT_MFA_TYPE first when several are on and none is preferred),
 * MFA_SETUP (TOTP) when the pool requires MFA and the user has none, else
 * tokens. Codes are checked with the same lockout as every other code.
 */
import { challengeDelivery, checkCode, issueCode, type CodeTarget } from './codes.js';
import type { PoolContext } from './context.js';
import { findDecoy, updateDecoy } from './decoy.js';
import { newSession, openSession, spendSession, type AuthSessionState } from './auth-session.js';
import { CognitoError, invalidParameter, Messages } from './errors.js';
import type { JsonObject } from '../../core/safe-json.js';
import type { UserRecord } from './records.js';
import { startSession } from './sessions.js';
import type { MfaMethod } from './settings.js';
import { assertCodeNotLocked, recordCodeFailure, recordCodeSuccess } from './throttle.js';
import { matchTotp } from './totp.js';
import { updateUser } from './user-lock.js';

/** The user's methods the pool still offers, preferred first (SMS only with a phone number to text). */
export function activeMfaMethods(ctx: PoolContext, user: UserRecord): MfaMethod[] {
  if (ctx.settings.mfaMode === 'OFF' || !user.mfa) return [];
  const pool = ctx.settings.mfaMethods;
  const methods = user.mfa.enabled.filter((method) => pool.includes(method) && (method !== 'SMS' || user.phoneNumber));
  const preferred = user.mfa.preferred;
  return preferred && methods.includes(preferred) ? [preferred, ...methods.filter((m) => m !== preferred)] : methods;
}

export async function signedIn(ctx: PoolContext, user: UserRecord): Promise<JsonObject> {
  return { ChallengeParameters: {}, AuthenticationResult: { ...(await startSession(ctx, user)) } };
}

/** The code challenges: where their code goes, and the name Cognito gives the answer. */
export type CodeStep = 'EMAIL_OTP' | 'SMS_MFA' | 'SMS_OTP';
export const CODE_ANSWER: Record<CodeStep, string> = {
  EMAIL_OTP: 'EMAIL_OTP_CODE',
  SMS_MFA: 'SMS_MFA_CODE',
  SMS_OTP: 'SMS_OTP_CODE',
};

/** Where a code challenge sends to, or undefined when the user has no such address. */
export function codeTarget(user: UserRecord, step: CodeStep): CodeTarget | undefined {
  if (step === 'EMAIL_OTP') return user.email ? { medium: 'EMAIL', to: user.email } : undefined;
  return user.phoneNumber ? { medium: 'SMS', to: user.phoneNumber } : undefined;
}

/**
 * Sends a sign-in code (EMAIL_OTP by email, SMS_MFA or SMS_OTP by SMS, as a
 * second factor or as the only one) and returns the challenge.
 */
export async function codeChallenge(ctx: PoolContext, user: UserRecord, login: string, step: CodeStep): Promise<JsonObject> {
  const target = codeTarget(user, step);
  if (!target) throw invalidParameter(`${step} is not available to this user: no ${step === 'EMAIL_OTP' ? 'email' : 'phone number'}`);
  const code = await updateUser(ctx, user.sub, (current) => issueCode(ctx, current, 'signIn', target.to));
  ctx.deliverCode({ username: target.to, medium: target.medium, code, kind: 'signIn' });
  return {
    ChallengeName: step,
    Session: await newSession(ctx, { sub: user.sub, login, step }),
    ChallengeParameters: challengeDelivery(target),
  };
}

/** Sends a sign-in code by email (EMAIL_OTP, for MFA or passwordless) and returns the challenge. */
export function emailCodeChallenge(ctx: PoolContext, user: UserRecord, login: string): Promise<JsonObject> {
  return codeChallenge(ctx, user, login, 'EMAIL_OTP');
}

/** Cognito's challenge (and SELECT_MFA_TYPE answer) for each second factor. */
export const MFA_CHALLENGE: Record<MfaMethod, 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP' | 'SMS_MFA'> = {
  TOTP: 'SOFTWARE_TOKEN_MFA',
  EMAIL: 'EMAIL_OTP',
  SMS: 'SMS_MFA',
};

/** The challenge of one second factor. */
async function mfaChallenge(ctx: PoolContext, user: UserRecord, login: string, method: MfaMethod): Promise<JsonObject> {
  if (method === 'TOTP') {
    return {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: await newSession(ctx, { sub: user.sub, login, step: 'SOFTWARE_TOKEN_MFA' }),
      ChallengeParameters: {},
    };
  }
  return codeChallenge(ctx, user, login, method === 'SMS' ? 'SMS_MFA' : 'EMAIL_OTP');
}

/**
 * What follows a correct password. A user with several factors on and none
 * preferred picks one first (SELECT_MFA_TYPE), as in Cognito.
 */
export async function afterPassword(ctx: PoolContext, user: UserRecord, login: string): Promise<JsonObject> {
  const methods = activeMfaMethods(ctx, user);
  const preferred = user.mfa?.preferred;
  if (methods.length > 1 && !(preferred && methods.includes(preferred))) {
    return {
      ChallengeName: 'SELECT_MFA_TYPE',
      Session: await newSession(ctx, { sub: user.sub, login, step: 'SELECT_MFA_TYPE' }),
      ChallengeParameters: { MFAS_CAN_CHOOSE: JSON.stringify(methods.map((method) => MFA_CHALLENGE[method])) },
    };
  }
  const [method] = methods;
  if (method) return mfaChallenge(ctx, user, login, method);
  if (ctx.settings.mfaMode === 'ON') {
    // A phone number on file is a factor ready to use, as in Cognito: no setup step.
    if (ctx.settings.mfaMethods.includes('SMS') && user.phoneNumber) return codeChallenge(ctx, user, login, 'SMS_MFA');
    if (ctx.settings.mfaMethods.includes('TOTP')) {
      return {
        ChallengeName: 'MFA_SETUP',
        Session: await newSession(ctx, { sub: user.sub, login, step: 'MFA_SETUP' }),
        ChallengeParameters: { MFAS_CAN_SETUP: JSON.stringify(['SOFTWARE_TOKEN_MFA']) },
      };
    }
    // Email needs no setup either: the confirmed email receives the code.
    if (ctx.settings.mfaMethods.includes('EMAIL')) return emailCodeChallenge(ctx, user, login);
  }
  return signedIn(ctx, user);
}

/** SELECT_MFA_TYPE: the user picked one of MFAS_CAN_CHOOSE (ANSWER is its challenge name). */
export async function respondSelectMfaType(ctx: PoolContext, session: string, answer: string): Promise<JsonObject> {
  const state = await openSession(ctx, session, ['SELECT_MFA_TYPE']);
  const user = await userForSession(ctx, state);
  const method = activeMfaMethods(ctx, user).find((candidate) => MFA_CHALLENGE[candidate] === answer);
  if (!method) throw invalidParameter(`${answer.slice(0, 40)} is not an MFA type this user can choose`);
  if (!spendSession(ctx, state)) throw new CognitoError('NotAuthorizedException', Messages.sessionExpired);
  return mfaChallenge(ctx, user, state.login, method);
}

async function userForSession(ctx: PoolContext, state: AuthSessionState): Promise<UserRecord> {
  const user = await ctx.store.readUser(state.sub);
  if (!user) throw new CognitoError('CodeMismatchException', Messages.codeMismatch);
  return user;
}

/** SOFTWARE_TOKEN_MFA: the code from the user's authenticator app. */
export async function respondTotp(ctx: PoolContext, session: string, code: string): Promise<JsonObject> {
  const state = await openSession(ctx, session, ['SOFTWARE_TOKEN_MFA']);
  const user = await userForSession(ctx, state);
  const checked = await updateUser(ctx, user.sub, (current) => {
    assertCodeNotLocked(current.failures, ctx.now());
    const secret = current.mfa?.totpSecret;
    const step = secret ? matchTotp(secret, code, ctx.now(), current.mfa?.lastTotpStep) : undefined;
    if (step === undefined || !current.mfa) {
      recordCodeFailure(current.failures, ctx.now());
      return { ok: false as const };
    }
    current.mfa.lastTotpStep = step;
    recordCodeSuccess(current.failures);
    return { ok: true as const, user: current };
  });
  if (!checked.ok) throw new CognitoError('CodeMismatchException', Messages.codeMismatch);
  if (!spendSession(ctx, state)) throw new CognitoError('NotAuthorizedException', Messages.sessionExpired);
  return signedIn(ctx, checked.user);
}

/** EMAIL_OTP, SMS_MFA or SMS_OTP: the code sent by email or SMS, as a second factor or as the only one (passwordless). */
export async function respondCode(ctx: PoolContext, session: string, code: string, step: CodeStep): Promise<JsonObject> {
  const state = await openSession(ctx, session, [step]);
  const user = await ctx.store.readUser(state.sub);
  if (!user) return decoyCodeFailure(ctx, state);
  const result = await updateUser(ctx, user.sub, (current) => ({ check: checkCode(ctx, current, 'signIn', code), user: current }));
  if (!result.check.ok) throw result.check.error;
  if (!result.user.confirmed) throw new CognitoError('UserNotConfirmedException', Messages.userNotConfirmed);
  if (!spendSession(ctx, state)) throw new CognitoError('NotAuthorizedException', Messages.sessionExpired);
  return signedIn(ctx, result.user);
}

/** A code for a name with no account: counted against its decoy and refused like a wrong one. */
async function decoyCodeFailure(ctx: PoolContext, state: AuthSessionState): Promise<never> {
  const { decoy } = await findDecoy(ctx, state.login);
  return updateDecoy(ctx, decoy, (failures) => {
    assertCodeNotLocked(failures, ctx.now());
    recordCodeFailure(failures, ctx.now());
    throw new CognitoError('CodeMismatchException', Messages.codeMismatch);
  });
}

/** MFA_SETUP, after VerifySoftwareToken accepted the new app: TOTP is on and preferred; sign-in completes. */
export async function respondMfaSetup(ctx: PoolContext, session: string): Promise<JsonObject> {
  const state = await openSession(ctx, session, ['MFA_SETUP']);
  if (!state.verified) throw invalidParameter('Software token MFA has not been set up for this user');
  const user = await userForSession(ctx, state);
  if (!spendSession(ctx, state)) throw new CognitoError('NotAuthorizedException', Messages.sessionExpired);
  return signedIn(ctx, user);
}
