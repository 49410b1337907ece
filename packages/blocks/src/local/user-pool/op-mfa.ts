/**
 * Setting up and choosing second factors: AssociateSoftwareToken and
 * VerifySoftwareToken (TOTP, either signed in or inside an MFA_SETUP sign-in
 * challenge) and SetUserMFAPreference, with Cognito's names and rules.
 */
import { newSession, openSession } from './auth-session.js';
import type { PoolContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import { requireString } from './input.js';
import { isJsonObject, type JsonObject } from '../../core/safe-json.js';
import type { Operation } from './operation.js';
import type { MfaRecord, UserRecord } from './records.js';
import { authenticate } from './sessions.js';
import type { MfaMethod } from './settings.js';
import { matchTotp, newTotpSecret } from './totp.js';
import { updateUser } from './user-lock.js';

function optionalString(body: JsonObject, field: string): string | undefined {
  const value = body[field];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function mfaOf(user: UserRecord): MfaRecord {
  user.mfa ??= { enabled: [] };
  return user.mfa;
}

function assertTotpOffered(ctx: PoolContext): void {
  if (ctx.settings.mfaMode === 'OFF' || !ctx.settings.mfaMethods.includes('TOTP')) {
    throw invalidParameter('Software token MFA is not enabled for this user pool');
  }
}

/** Who is asking: a signed-in user (AccessToken) or a sign-in in its MFA_SETUP step (Session). */
async function caller(ctx: PoolContext, body: JsonObject) {
  const accessToken = optionalString(body, 'AccessToken');
  if (accessToken) return { user: await authenticate(ctx, accessToken), session: undefined };
  const session = optionalString(body, 'Session');
  if (!session) throw invalidParameter('Either AccessToken or Session must be provided');
  const state = await openSession(ctx, session, ['MFA_SETUP']);
  const user = await ctx.store.readUser(state.sub);
  if (!user) throw new CognitoError('NotAuthorizedException', 'Invalid session for the user.');
  return { user, session: state };
}

export const associateSoftwareToken: Operation = async (ctx, body) => {
  assertTotpOffered(ctx);
  const { user, session } = await caller(ctx, body);
  const secret = newTotpSecret();
  await updateUser(ctx, user.sub, (current) => {
    mfaOf(current).pendingTotpSecret = secret;
  });
  if (!session) return { SecretCode: secret };
  return { SecretCode: secret, Session: await newSession(ctx, { ...session, id: undefined }) };
};

export const verifySoftwareToken: Operation = async (ctx, body) => {
  assertTotpOffered(ctx);
  const code = requireString(body, 'UserCode', 6);
  const { user, session } = await caller(ctx, body);
  const ok = await updateUser(ctx, user.sub, (current) => {
    const mfa = mfaOf(current);
    const step = mfa.pendingTotpSecret ? matchTotp(mfa.pendingTotpSecret, code, ctx.now()) : undefined;
    if (step === undefined || !mfa.pendingTotpSecret) return false;
    mfa.totpSecret = mfa.pendingTotpSecret;
    mfa.lastTotpStep = step;
    delete mfa.pendingTotpSecret;
    // Set up during sign-in (MFA required), the app becomes the user's factor at once, as in Cognito.
    if (session && !mfa.enabled.includes('TOTP')) mfa.enabled.push('TOTP');
    if (session) mfa.preferred = 'TOTP';
    return true;
  });
  if (!ok) throw new CognitoError('EnableSoftwareTokenMFAException', 'Code mismatch');
  if (!session) return { Status: 'SUCCESS' };
  return { Status: 'SUCCESS', Session: await newSession(ctx, { ...session, id: undefined, verified: true }) };
};

interface MethodSettings {
  Enabled?: boolean;
  PreferredMfa?: boolean;
}

function methodSettings(body: JsonObject, field: string): MethodSettings | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw new CognitoError('SerializationException', `Unexpected type for field '${field}'`);
  const { Enabled, PreferredMfa } = value;
  return {
    ...(typeof Enabled === 'boolean' && { Enabled }),
    ...(typeof PreferredMfa === 'boolean' && { PreferredMfa }),
  };
}

const METHOD_LABEL: Record<MfaMethod, string> = { TOTP: 'Software token', EMAIL: 'Email', SMS: 'SMS' };

export const setUserMfaPreference: Operation = async (ctx, body) => {
  const user = await authenticate(ctx, requireString(body, 'AccessToken', 16_384));
  const requested: [MfaMethod, MethodSettings | undefined][] = [
    ['TOTP', methodSettings(body, 'SoftwareTokenMfaSettings')],
    ['EMAIL', methodSettings(body, 'EmailMfaSettings')],
    ['SMS', methodSettings(body, 'SMSMfaSettings')],
  ];
  await updateUser(ctx, user.sub, (current) => {
    const mfa = mfaOf(current);
    for (const [method, settings] of requested) {
      if (!settings) continue;
      if (settings.Enabled && !ctx.settings.mfaMethods.includes(method)) {
        throw invalidParameter(`${METHOD_LABEL[method]} MFA is not enabled for this user pool`);
      }
      // Cognito's answer when the code would have nowhere to go.
      if (settings.Enabled && method === 'SMS' && !current.phoneNumber) {
        throw invalidParameter('User does not have delivery config set to turn on SMS_MFA');
      }
      if (settings.Enabled && method === 'EMAIL' && !current.email) {
        throw invalidParameter('User does not have delivery config set to turn on EMAIL_OTP');
      }
      if (settings.Enabled && method === 'TOTP' && !mfa.totpSecret) {
        throw invalidParameter('User has not verified software token mfa');
      }
      if (settings.Enabled === true && !mfa.enabled.includes(method)) mfa.enabled.push(method);
      if (settings.Enabled === false) mfa.enabled = mfa.enabled.filter((m) => m !== method);
      if (settings.PreferredMfa === true && settings.Enabled !== false) mfa.preferred = method;
      if ((settings.PreferredMfa === false || settings.Enabled === false) && mfa.preferred === method) delete mfa.preferred;
    }
  });
  return {};
};

const MFA_NAMES: Record<MfaMethod, string> = { TOTP: 'SOFTWARE_TOKEN_MFA', EMAIL: 'EMAIL_OTP', SMS: 'SMS_MFA' };

/** GetUser's MFA fields: what Amplify's fetchMFAPreference reads. */
export function mfaFields(user: UserRecord): JsonObject {
  const enabled = user.mfa?.enabled ?? [];
  if (enabled.length === 0) return {};
  return {
    UserMFASettingList: enabled.map((method) => MFA_NAMES[method]),
    ...(user.mfa?.preferred && { PreferredMfaSetting: MFA_NAMES[user.mfa.preferred] }),
  };
}
