import { createHmac } from 'node:crypto';
import type { PoolContext } from './context.js';
import { CognitoError, Messages } from './errors.js';
import { computeVerifier } from './srp.js';
import { normaliseEmail } from './store.js';
import { LOCKOUT_MS, MAX_PASSWORD_FAILURES } from './throttle.js';

/**
 * Sign-in to a username that does not exist must look exactly like a wrong
 * password (Cognito's PreventUserExistenceErrors): a stable fake SRP
 * challenge per username, and the same lockout after repeated failures.
 */

export interface DecoyUser {
  userIdForSrp: string;
  salt: bigint;
  verifier: bigint;
}

const MAX_TRACKED = 10_000;

function uuidFrom(bytes: Buffer): string {
  const hex = Buffer.from(bytes.subarray(0, 16));
  hex[6] = ((hex[6] ?? 0) & 0x0f) | 0x40;
  hex[8] = ((hex[8] ?? 0) & 0x3f) | 0x80;
  const h = hex.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export async function decoyUser(ctx: PoolContext, username: string): Promise<DecoyUser> {
  const secret = (await ctx.keys()).secret('decoy-user');
  const derive = (label: string) =>
    createHmac('sha256', secret)
      .update(`${label}:${normaliseEmail(username)}`)
      .digest();
  return {
    userIdForSrp: uuidFrom(derive('id')),
    salt: BigInt(`0x${derive('salt').subarray(0, 16).toString('hex')}`),
    verifier: computeVerifier(BigInt(`0x${derive('x').toString('hex')}`)),
  };
}

export function assertDecoyNotLocked(ctx: PoolContext, username: string): void {
  const entry = ctx.unknownLoginFailures.get(normaliseEmail(username));
  if (entry && entry.lockedUntil > ctx.now()) {
    throw new CognitoError('NotAuthorizedException', Messages.passwordAttemptsExceeded);
  }
}

export function recordDecoyFailure(ctx: PoolContext, username: string): void {
  const key = normaliseEmail(username);
  const now = ctx.now();
  const previous = ctx.unknownLoginFailures.get(key);
  const expired = previous !== undefined && previous.lockedUntil !== 0 && previous.lockedUntil <= now;
  const count = (expired || !previous ? 0 : previous.count) + 1;
  ctx.unknownLoginFailures.delete(key);
  ctx.unknownLoginFailures.set(key, { count, lockedUntil: count >= MAX_PASSWORD_FAILURES ? now + LOCKOUT_MS : 0 });
  if (ctx.unknownLoginFailures.size > MAX_TRACKED) {
    const oldest = ctx.unknownLoginFailures.keys().next();
    if (!oldest.done) ctx.unknownLoginFailures.delete(oldest.value);
  }
}
