/**
 * The `Session` string of MFA and passwordless challenges. Like SECRET_BLOCK
 * for SRP, it carries its own state sealed with the pool's key, so a pending
 * sign-in costs no file; a session is spent when its sign-in completes.
 */
import { randomUUID } from 'node:crypto';
import type { PoolContext } from './context.js';
import { CognitoError } from './errors.js';
import { openJson, sealJson } from './secret-block.js';

/** What the holder of the session may do next. */
export type SessionStep =
  | 'SOFTWARE_TOKEN_MFA'
  | 'EMAIL_OTP'
  | 'SMS_MFA'
  | 'SMS_OTP'
  | 'SELECT_MFA_TYPE'
  | 'MFA_SETUP'
  | 'SELECT_CHALLENGE'
  | 'SIGN_UP_CONFIRMED';

export interface AuthSessionState {
  id: string;
  /** The user's sub, or a decoy id for a name with no account. */
  sub: string;
  /** The name as typed, for decoy counters. */
  login: string;
  step: SessionStep;
  /** MFA_SETUP only: VerifySoftwareToken accepted a code from the new app. */
  verified?: boolean;
  expiresAt: number;
}

/** Cognito's challenge sessions last 3 minutes. */
const SESSION_TTL_MS = 3 * 60 * 1000;
const STEPS: readonly string[] = [
  'SOFTWARE_TOKEN_MFA',
  'EMAIL_OTP',
  'SMS_MFA',
  'SMS_OTP',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'SELECT_CHALLENGE',
  'SIGN_UP_CONFIRMED',
];

const invalidSession = () => new CognitoError('NotAuthorizedException', 'Invalid session for the user.');

async function key(ctx: PoolContext): Promise<Buffer> {
  return (await ctx.keys()).secret('auth-session');
}

export async function newSession(
  ctx: PoolContext,
  state: Omit<AuthSessionState, 'id' | 'expiresAt'> & { id?: string },
): Promise<string> {
  const full: AuthSessionState = { ...state, id: state.id ?? randomUUID(), expiresAt: ctx.now() + SESSION_TTL_MS };
  return sealJson(await key(ctx), full).toString('base64');
}

/** Opens a session for one of `steps`; throws as Cognito does for a forged, spent or expired one. */
export async function openSession(
  ctx: PoolContext,
  session: string,
  steps: readonly SessionStep[],
): Promise<AuthSessionState> {
  const state = openJson(await key(ctx), Buffer.from(session, 'base64'));
  if (!state) throw invalidSession();
  const { id, sub, login, step, verified, expiresAt } = state;
  if (typeof id !== 'string' || typeof sub !== 'string' || typeof login !== 'string') throw invalidSession();
  if (typeof step !== 'string' || !STEPS.includes(step) || typeof expiresAt !== 'number') throw invalidSession();
  if (!steps.includes(step as SessionStep)) throw invalidSession();
  if (expiresAt <= ctx.now() || ctx.usedChallenges.isUsed(id)) {
    throw new CognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
  }
  return { id, sub, login, step: step as SessionStep, verified: verified === true, expiresAt };
}

/** Marks a session used (its sign-in completed); false if it already was. */
export function spendSession(ctx: PoolContext, state: AuthSessionState): boolean {
  return ctx.usedChallenges.claim(state.id, state.expiresAt, ctx.now());
}
