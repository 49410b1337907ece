/**
 * USER_AUTH, Cognito's choice-based sign-in, for pools whose definition turns
 * on email or SMS codes (`loginWith: { email: { otpLogin: true } }`, or
 * `phone: { otpLogin: true }`): the client names a preferred first factor or
 * gets SELECT_CHALLENGE, and EMAIL_OTP / SMS_OTP send a code instead of
 * asking for a password. A name with no account (or with no address for that
 * code) gets the same challenge (nothing is sent) and its code is refused
 * like a wrong one.
 */
import { challengeDelivery, type CodeTarget } from './codes.js';
import type { PoolContext } from './context.js';
import { findDecoy, updateDecoy } from './decoy.js';
import { CognitoError, invalidParameter, Messages } from './errors.js';
import type { JsonObject } from '../../core/safe-json.js';
import { newSession, openSession, spendSession } from './auth-session.js';
import { codeChallenge, codeTarget, signedIn, type CodeStep } from './mfa.js';
import { normaliseEmail, normaliseUsername } from './store.js';
import { recordCodeSend } from './throttle.js';

/** The first factors of the pool: the same for every name, so the list says nothing about the account. */
function available(ctx: PoolContext): string[] {
  return [
    'PASSWORD',
    'PASSWORD_SRP',
    ...(ctx.settings.passwordlessEmail ? ['EMAIL_OTP'] : []),
    ...(ctx.settings.passwordlessSms ? ['SMS_OTP'] : []),
  ];
}

/** The password factors, implemented by op-auth.ts for USER_SRP_AUTH and USER_PASSWORD_AUTH. */
export interface PasswordFactors {
  srp(params: Record<string, string>): Promise<JsonObject>;
  password(params: Record<string, string>): Promise<JsonObject>;
}

/** A chosen first factor: PASSWORD_SRP (with SRP_A), PASSWORD (with PASSWORD) or EMAIL_OTP. */
function startFactor(
  ctx: PoolContext,
  factors: PasswordFactors,
  choice: string | undefined,
  username: string,
  params: Record<string, string>,
): Promise<JsonObject> {
  switch (choice) {
    case 'EMAIL_OTP':
      if (!ctx.settings.passwordlessEmail) break;
      return startCodeFactor(ctx, username, 'EMAIL_OTP');
    case 'SMS_OTP':
      if (!ctx.settings.passwordlessSms) break;
      return startCodeFactor(ctx, username, 'SMS_OTP');
    case 'PASSWORD_SRP':
      return factors.srp({ ...params, USERNAME: username });
    case 'PASSWORD':
      return factors.password({ ...params, USERNAME: username });
    default:
      break;
  }
  throw invalidParameter(`${(choice ?? '').slice(0, 40)} is not available to this user in the local pool`);
}

function assertEnabled(ctx: PoolContext): void {
  if (!ctx.settings.passwordlessEmail && !ctx.settings.passwordlessSms) {
    throw invalidParameter('USER_AUTH flow not enabled for this client');
  }
}

/** A stand-in destination for a name with no account: the name itself when it is a phone number or email, stable otherwise. */
function decoyTarget(username: string, decoyId: string, step: CodeStep): CodeTarget {
  if (step === 'EMAIL_OTP') return { medium: 'EMAIL', to: username.toLowerCase() };
  if (username.startsWith('+')) return { medium: 'SMS', to: username };
  const digits = decoyId.replace(/\D/g, '').padEnd(4, '0').slice(0, 4);
  return { medium: 'SMS', to: `+1555000${digits}` };
}

async function startCodeFactor(ctx: PoolContext, username: string, step: CodeStep): Promise<JsonObject> {
  const user = await ctx.store.findUser(username);
  if (user && codeTarget(user, step)) return codeChallenge(ctx, user, username, step);
  // Same file work as a user's code send, and the same answer.
  const { decoy } = await findDecoy(ctx, username);
  await updateDecoy(ctx, decoy, (failures) => recordCodeSend(failures, ctx.now()));
  return {
    ChallengeName: step,
    Session: await newSession(ctx, { sub: decoy.id, login: username, step }),
    ChallengeParameters: challengeDelivery(decoyTarget(username, decoy.id, step)),
  };
}

/**
 * Sign-in right after a confirmed sign-up: ConfirmSignUp's Session stands for
 * the code just proved, as in Cognito (Amplify's autoSignIn for passwordless sign-up).
 */
async function signInAfterSignUp(ctx: PoolContext, username: string, session: string): Promise<JsonObject> {
  const state = await openSession(ctx, session, ['SIGN_UP_CONFIRMED']);
  const user = await ctx.store.readUser(state.sub);
  const sameName =
    user !== undefined &&
    (normaliseEmail(username) === user.email ||
      username === user.phoneNumber ||
      username === user.sub ||
      (user.username !== undefined && normaliseUsername(username) === normaliseUsername(user.username)));
  if (!user || !sameName) {
    throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
  }
  if (!spendSession(ctx, state)) throw new CognitoError('NotAuthorizedException', Messages.sessionExpired);
  return signedIn(ctx, user);
}

/** The Session ConfirmSignUp returns in a pool with USER_AUTH, for signInAfterSignUp. */
export async function signUpSession(ctx: PoolContext, sub: string, login: string): Promise<JsonObject> {
  if (!ctx.settings.passwordlessEmail && !ctx.settings.passwordlessSms) return {};
  return { Session: await newSession(ctx, { sub, login, step: 'SIGN_UP_CONFIRMED' }) };
}

/** InitiateAuth with AuthFlow USER_AUTH (`session`: the body's Session, after a sign-up). */
export async function startUserAuth(
  ctx: PoolContext,
  factors: PasswordFactors,
  params: Record<string, string>,
  session?: string,
): Promise<JsonObject> {
  assertEnabled(ctx);
  const username = params.USERNAME;
  if (!username) throw invalidParameter('Missing required parameter USERNAME');
  if (session) return signInAfterSignUp(ctx, username, session);
  const preferred = params.PREFERRED_CHALLENGE;
  if (preferred) return startFactor(ctx, factors, preferred, username, params);
  return {
    ChallengeName: 'SELECT_CHALLENGE',
    Session: await newSession(ctx, { sub: '00000000-0000-0000-0000-000000000000', login: username, step: 'SELECT_CHALLENGE' }),
    ChallengeParameters: {},
    AvailableChallenges: available(ctx),
  };
}

/** RespondToAuthChallenge SELECT_CHALLENGE: the user picked a first factor. */
export async function respondSelectChallenge(
  ctx: PoolContext,
  factors: PasswordFactors,
  session: string,
  responses: Record<string, string>,
): Promise<JsonObject> {
  assertEnabled(ctx);
  const state = await openSession(ctx, session, ['SELECT_CHALLENGE']);
  return startFactor(ctx, factors, responses.ANSWER, state.login, responses);
}
