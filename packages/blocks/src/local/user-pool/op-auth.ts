import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { PoolContext } from './context.js';
import { findDecoy, updateDecoy } from './decoy.js';
import { CognitoError, incorrectCredentials, invalidParameter, Messages } from './errors.js';
import { requireString, requireStringMap } from './input.js';
import type { JsonObject } from '../../core/safe-json.js';
import { assertClient, type Operation } from './operation.js';
import type { FailureCounters, UserRecord } from './records.js';
import { CHALLENGE_TTL_MS, openChallenge, sealChallenge, type ChallengeState } from './secret-block.js';
import { refreshSession } from './sessions.js';
import { afterPassword, CODE_ANSWER, respondCode, respondMfaSetup, respondSelectMfaType, respondTotp } from './mfa.js';
import { respondSelectChallenge, startUserAuth, type PasswordFactors } from './passwordless.js';
import { createServerEphemeral, N, parseHex, passwordClaimSignature, serverPublic, serverSessionKey } from './srp.js';
import { normaliseEmail, normaliseUsername } from './store.js';
import { assertPasswordNotLocked, recordPasswordFailure, recordPasswordSuccess } from './throttle.js';
import { updateUser } from './user-lock.js';
import { passwordMatches, verifierMatches } from './users.js';

const KNOWN_FLOWS = [
  'USER_SRP_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'CUSTOM_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'USER_AUTH',
];

function parameter(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (!value) throw invalidParameter(`Missing required parameter ${name}`);
  return value;
}

/**
 * The end of every password check: counts failures, then refuses unconfirmed
 * users only after the password proved right, so the status never leaks to
 * someone who does not know the password.
 */
function concludePasswordCheck(ctx: PoolContext, user: UserRecord, passed: boolean): void {
  if (!passed) {
    recordPasswordFailure(user.failures, ctx.now());
    throw incorrectCredentials();
  }
  recordPasswordSuccess(user.failures);
  if (user.disabled) throw new CognitoError('NotAuthorizedException', Messages.userDisabled);
  if (!user.confirmed) throw new CognitoError('UserNotConfirmedException', Messages.userNotConfirmed);
}

/**
 * The end of a password check on a decoy: the same counting as a user's
 * wrong password, and never a success, whatever `passed` says.
 */
function concludeDecoyCheck(ctx: PoolContext, failures: FailureCounters): never {
  recordPasswordFailure(failures, ctx.now());
  throw incorrectCredentials();
}

async function startSrp(ctx: PoolContext, params: Record<string, string>): Promise<JsonObject> {
  const username = parameter(params, 'USERNAME');
  const A = parseHex(parameter(params, 'SRP_A'), 1024);
  if (A === undefined || A % N === 0n) throw invalidParameter('Invalid SRP_A');
  const user = await ctx.store.findUser(username);
  let identity: { sub: string; salt: bigint; verifier: bigint };
  if (user) {
    assertPasswordNotLocked(user.failures, ctx.now());
    const salt = parseHex(user.srp.salt);
    const verifier = parseHex(user.srp.verifier);
    if (salt === undefined || verifier === undefined) throw incorrectCredentials();
    identity = { sub: user.sub, salt, verifier };
  } else {
    const { decoy, failures } = await findDecoy(ctx, username);
    assertPasswordNotLocked(failures, ctx.now());
    identity = { sub: decoy.id, salt: decoy.salt, verifier: decoy.verifier };
  }
  const { b, B } = createServerEphemeral(identity.verifier);
  const state: ChallengeState = {
    id: randomUUID(),
    sub: identity.sub,
    userIdForSrp: identity.sub,
    login: username,
    A: A.toString(16),
    // Fixed width, so the size of SECRET_BLOCK depends on nothing secret.
    b: b.toString(16).padStart(64, '0'),
    expiresAt: ctx.now() + CHALLENGE_TTL_MS,
  };
  const secretBlock = sealChallenge((await ctx.keys()).secret('secret-block'), state);
  return {
    ChallengeName: 'PASSWORD_VERIFIER',
    ChallengeParameters: {
      // Unpadded on purpose, as Cognito sends it: the client re-pads the number.
      SALT: identity.salt.toString(16),
      SECRET_BLOCK: secretBlock.toString('base64'),
      SRP_B: B.toString(16),
      USERNAME: identity.sub,
      USER_ID_FOR_SRP: identity.sub,
    },
  };
}

async function passwordAuth(ctx: PoolContext, params: Record<string, string>): Promise<JsonObject> {
  const username = parameter(params, 'USERNAME');
  const password = parameter(params, 'PASSWORD');
  const found = await ctx.store.findUser(username);
  if (!found) {
    const { decoy } = await findDecoy(ctx, username);
    return updateDecoy(ctx, decoy, (failures) => {
      assertPasswordNotLocked(failures, ctx.now());
      verifierMatches(ctx, { userIdForSrp: decoy.id, salt: decoy.salt, verifier: decoy.verifier }, password);
      return concludeDecoyCheck(ctx, failures);
    });
  }
  const user = await updateUser(ctx, found.sub, (current) => {
    assertPasswordNotLocked(current.failures, ctx.now());
    concludePasswordCheck(ctx, current, passwordMatches(ctx, current, password));
    return current;
  });
  return afterPassword(ctx, user, username);
}

/** SRP and plain-password sign-in, as USER_AUTH's PASSWORD_SRP and PASSWORD factors. */
const passwordFactors = (ctx: PoolContext): PasswordFactors => ({
  srp: (params) => startSrp(ctx, params),
  password: (params) => passwordAuth(ctx, params),
});

export const initiateAuth: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const flow = requireString(body, 'AuthFlow', 64);
  const params = requireStringMap(body, 'AuthParameters');
  switch (flow) {
    case 'USER_SRP_AUTH':
      return startSrp(ctx, params);
    case 'USER_PASSWORD_AUTH':
      return passwordAuth(ctx, params);
    case 'USER_AUTH':
      return startUserAuth(
        ctx,
        passwordFactors(ctx),
        params,
        typeof body.Session === 'string' ? requireString(body, 'Session', 8192) : undefined,
      );
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      return {
        ChallengeParameters: {},
        AuthenticationResult: { ...(await refreshSession(ctx, parameter(params, 'REFRESH_TOKEN'))) },
      };
    default:
      if (KNOWN_FLOWS.includes(flow)) throw invalidParameter(`${flow} flow not enabled for this client`);
      throw invalidParameter(
        `1 validation error detected: Value '${flow.slice(0, 64)}' at 'authFlow' failed to satisfy constraint: Member must satisfy enum value set: [${KNOWN_FLOWS.join(', ')}]`,
      );
  }
};

export const respondToAuthChallenge: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const challenge = requireString(body, 'ChallengeName', 64);
  const responses = requireStringMap(body, 'ChallengeResponses');
  const session = () => requireString(body, 'Session', 8192);
  switch (challenge) {
    case 'PASSWORD_VERIFIER':
      return passwordVerifier(ctx, responses);
    case 'SOFTWARE_TOKEN_MFA':
      return respondTotp(ctx, session(), parameter(responses, 'SOFTWARE_TOKEN_MFA_CODE'));
    case 'EMAIL_OTP':
    case 'SMS_MFA':
    case 'SMS_OTP':
      return respondCode(ctx, session(), parameter(responses, CODE_ANSWER[challenge]), challenge);
    case 'SELECT_MFA_TYPE':
      return respondSelectMfaType(ctx, session(), parameter(responses, 'ANSWER'));
    case 'MFA_SETUP':
      return respondMfaSetup(ctx, session());
    case 'SELECT_CHALLENGE':
      return respondSelectChallenge(ctx, passwordFactors(ctx), session(), responses);
    default:
      throw invalidParameter(`Unsupported challenge: ${challenge}`);
  }
};

async function passwordVerifier(ctx: PoolContext, responses: Record<string, string>): Promise<JsonObject> {
  const username = parameter(responses, 'USERNAME');
  const blockText = parameter(responses, 'PASSWORD_CLAIM_SECRET_BLOCK');
  const signature = Buffer.from(parameter(responses, 'PASSWORD_CLAIM_SIGNATURE'), 'base64');
  // Used as sent: the client signs its own rendering of the time.
  const timestamp = parameter(responses, 'TIMESTAMP');

  const block = Buffer.from(blockText, 'base64');
  const state = openChallenge((await ctx.keys()).secret('secret-block'), block);
  if (!state) throw incorrectCredentials();
  const now = ctx.now();
  if (state.expiresAt <= now || !ctx.usedChallenges.claim(state.id, state.expiresAt, now)) {
    throw new CognitoError('NotAuthorizedException', Messages.sessionExpired);
  }
  const claim = { username, block, timestamp, signature };
  const user = await ctx.store.readUser(state.sub);
  if (!user) return decoyClaim(ctx, state, claim);
  const checked = await updateUser(ctx, state.sub, (current) => {
    assertPasswordNotLocked(current.failures, ctx.now());
    const sameUser =
      username === state.userIdForSrp ||
      (current.username !== undefined && normaliseUsername(username) === normaliseUsername(current.username)) ||
      (current.email !== '' && normaliseEmail(username) === current.email) ||
      (current.phoneNumber !== undefined && username === current.phoneNumber);
    concludePasswordCheck(ctx, current, sameUser && claimMatches(ctx, state, parseHex(current.srp.verifier), claim));
    return current;
  });
  return afterPassword(ctx, checked, state.login);
}

interface PasswordClaim {
  username: string;
  block: Buffer;
  timestamp: string;
  signature: Buffer;
}

/** Checks PASSWORD_CLAIM_SIGNATURE against verifier `v`: the SRP work both a user and a decoy cost. */
function claimMatches(ctx: PoolContext, state: ChallengeState, v: bigint | undefined, claim: PasswordClaim): boolean {
  const A = parseHex(state.A);
  const b = parseHex(state.b);
  if (A === undefined || b === undefined || v === undefined) return false;
  const key = serverSessionKey({ A, B: serverPublic(v, b), b, v });
  if (!key) return false;
  const expected = passwordClaimSignature(key, ctx.poolName, state.userIdForSrp, claim.block, claim.timestamp);
  return expected.length === claim.signature.length && timingSafeEqual(expected, claim.signature);
}

/** The answer to a challenge issued to a name with no account: a wrong password, after the same work. */
async function decoyClaim(ctx: PoolContext, state: ChallengeState, claim: PasswordClaim): Promise<never> {
  const { decoy } = await findDecoy(ctx, state.login);
  // A user deleted since InitiateAuth has no decoy under its sub: nothing to count.
  if (decoy.id !== state.sub) throw incorrectCredentials();
  return updateDecoy(ctx, decoy, (failures) => {
    assertPasswordNotLocked(failures, ctx.now());
    const sameUser = claim.username === state.userIdForSrp || normaliseEmail(claim.username) === normaliseEmail(state.login);
    if (sameUser) claimMatches(ctx, state, decoy.verifier, claim);
    return concludeDecoyCheck(ctx, failures);
  });
}

export const getTokensFromRefreshToken: Operation = async (ctx, body) => {
  assertClient(ctx, body);
  const token = requireString(body, 'RefreshToken', 4096);
  return { AuthenticationResult: { ...(await refreshSession(ctx, token)) } };
};
