/**
 * The second step of a sign-in, as Cognito runs it once the password was
 * right: a SOFTWARE_TOKEN_MFA or EMAIL_OTP challenge for users with MFA on,
 * MFA_SETUP (TOTP) when the pool requires MFA and the user has none, else
 * tokens. Codes are checked with the same lockout as every other code.
 */
import { checkCode, deliveryDetails, issueCode } from './codes.js';
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

/** The user's methods the pool still offers, preferred first. */
export function activeMfaMethods(ctx: PoolContext, user: UserRecord): MfaMethod[] {
  if (ctx.settings.mfaMode === 'OFF' || !user.mfa) return [];
  const pool = ctx.settings.mfaMethods;
  const methods = user.mfa.enabled.filter((method) => pool.includes(method));
  const preferred = user.mfa.preferred;
  return preferred && methods.includes(preferred) ? [preferred, ...methods.filter((m) => m !== preferred)] : methods;
}

export async function signedIn(ctx: PoolContext, user: UserRecord): Promise<JsonObject> {
  return { ChallengeParameters: {}, AuthenticationResult: { ...(await startSession(ctx, user)) } };
}

/** Sends a sign-in code by email (EMAIL_OTP, for MFA or passwordless) and returns the challenge. */
export async function emailCodeChallenge(ctx: PoolContext, user: UserRecord, login: string): Promise<JsonObject> {
  const code = await updateUser(ctx, user.sub, (current) => issueCode(ctx, current, 'signIn', current.email));
  ctx.deliverCode({ username: user.email, medium: 'EMAIL', code, kind: 'signIn' });
  const details = deliveryDetails(user.email);
  return {
    ChallengeName: 'EMAIL_OTP',
    Session: await newSession(ctx, { sub: user.sub, login, step: 'EMAIL_OTP' }),
    ChallengeParameters: {
      CODE_DELIVERY_DELIVERY_MEDIUM: details.DeliveryMedium,
      CODE_DELIVERY_DESTINATION: details.Destination,
    },
  };
}

/** What follows a correct password. */
export async function afterPassword(ctx: PoolContext, user: UserRecord, login: string): Promise<JsonObject> {
  const [method] = activeMfaMethods(ctx, user);
  if (method === 'TOTP') {
    return {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: await newSession(ctx, { sub: user.sub, login, step: 'SOFTWARE_TOKEN_MFA' }),
      ChallengeParameters: {},
    };
  }
  if (method === 'EMAIL') return emailCodeChallenge(ctx, user, login);
  if (ctx.settings.mfaMode === 'ON') {
    if (ctx.settings.mfaMethods.includes('TOTP')) {
      return {
        ChallengeName: 'MFA_SETUP',
        Session: await newSession(ctx, { sub: user.sub, login, step: 'MFA_SETUP' }),
        ChallengeParameters: { MFAS_CAN_SETUP: JSON.stringify(['SOFTWARE_TOKEN_MFA']) },
      };
    }
    // Email-only MFA needs no setup: the confirmed email receives the code.
    if (ctx.settings.mfaMethods.includes('EMAIL')) return emailCodeChallenge(ctx, user, login);
  }
  return signedIn(ctx, user);
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

/** EMAIL_OTP: the code sent by email, as a second factor or as the only one (passwordless). */
export async function respondEmailCode(ctx: PoolContext, session: string, code: string): Promise<JsonObject> {
  const state = await openSession(ctx, session, ['EMAIL_OTP']);
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
