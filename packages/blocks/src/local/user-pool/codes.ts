import { randomInt, timingSafeEqual } from 'node:crypto';
import type { PoolContext } from './context.js';
import { CognitoError, Messages } from './errors.js';
import type { DeliveryMedium } from './outbox.js';
import type { CodeKind, UserRecord } from './records.js';
import { assertCodeNotLocked, recordCodeFailure, recordCodeSend, recordCodeSuccess } from './throttle.js';

export interface CodeDeliveryDetails {
  Destination: string;
  DeliveryMedium: DeliveryMedium;
  AttributeName: 'email' | 'phone_number';
}

/** Where a code goes: an email address, or a phone number by SMS. */
export interface CodeTarget {
  medium: DeliveryMedium;
  to: string;
}

/** Cognito shows where a code went as `a***@e***`. */
function maskEmail(email: string): string {
  const at = email.indexOf('@');
  const local = at > 0 ? email.slice(0, at) : email;
  const domain = at > 0 ? email.slice(at + 1) : '';
  return `${local.charAt(0)}***@${domain.charAt(0)}***`;
}

/** And a phone number as `+*******1234`. */
function maskPhone(phone: string): string {
  return `+${'*'.repeat(Math.max(phone.length - 5, 1))}${phone.slice(-4)}`;
}

export function deliveryDetails(email: string): CodeDeliveryDetails {
  return { Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
}

export function targetDetails(target: CodeTarget): CodeDeliveryDetails {
  if (target.medium === 'EMAIL') return deliveryDetails(target.to);
  return { Destination: maskPhone(target.to), DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
}

/** A challenge's CODE_DELIVERY_* parameters (EMAIL_OTP, SMS_MFA, SMS_OTP). */
export function challengeDelivery(target: CodeTarget): Record<string, string> {
  const details = targetDetails(target);
  return { CODE_DELIVERY_DELIVERY_MEDIUM: details.DeliveryMedium, CODE_DELIVERY_DESTINATION: details.Destination };
}

/**
 * Where a user's sign-up code goes: by SMS when the pool verifies phone
 * numbers and the user has one (Cognito prefers SMS when both are
 * auto-verified), else to the email.
 */
export function signUpTarget(ctx: PoolContext, user: UserRecord): CodeTarget | undefined {
  if (user.phoneNumber && (ctx.settings.autoVerifiedAttributes.includes('phone_number') || !user.email)) {
    return { medium: 'SMS', to: user.phoneNumber };
  }
  return user.email ? { medium: 'EMAIL', to: user.email } : undefined;
}

/**
 * Puts a fresh code of `kind` on the user (replacing any earlier one) and
 * returns it; the caller persists the user, then delivers the code, so the
 * developer never sees a code the pool does not know about.
 */
export function issueCode(ctx: PoolContext, user: UserRecord, kind: CodeKind, destination: string): string {
  const now = ctx.now();
  recordCodeSend(user.failures, now);
  const code = randomInt(0, 1_000_000).toString().padStart(6, '0');
  user.codes[kind] = { code, destination, issuedAt: now, expiresAt: now + ctx.codeTtlMs[kind] };
  return code;
}

export type CodeCheck = { ok: true } | { ok: false; error: CognitoError };

/**
 * Checks and consumes a code. Mutates the user's counters either way, so the
 * caller must persist the user before reporting a failure.
 */
export function checkCode(ctx: PoolContext, user: UserRecord, kind: CodeKind, submitted: string): CodeCheck {
  const now = ctx.now();
  assertCodeNotLocked(user.failures, now);
  const stored = user.codes[kind];
  if (!stored) return { ok: false, error: new CognitoError('ExpiredCodeException', Messages.codeExpired) };
  const expected = Buffer.from(stored.code, 'utf8');
  const actual = Buffer.from(submitted, 'utf8');
  const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
  if (!matches) {
    recordCodeFailure(user.failures, now);
    return { ok: false, error: new CognitoError('CodeMismatchException', Messages.codeMismatch) };
  }
  if (stored.expiresAt <= now) {
    delete user.codes[kind];
    return { ok: false, error: new CognitoError('ExpiredCodeException', Messages.codeExpired) };
  }
  delete user.codes[kind];
  recordCodeSuccess(user.failures);
  return { ok: true };
}

/** The newest live code of a user (sent to `destination`, when given), for tests and the local codes endpoint. */
export function latestCode(user: UserRecord, nowMs: number, destination?: string): string | undefined {
  const wanted = destination?.toLowerCase();
  const live = Object.values(user.codes)
    .filter((entry) => entry.expiresAt > nowMs && (wanted === undefined || entry.destination.toLowerCase() === wanted))
    .sort((a, b) => b.issuedAt - a.issuedAt);
  return live[0]?.code;
}
