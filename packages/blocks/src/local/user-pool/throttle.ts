import { CognitoError, Messages } from './errors.js';
import type { FailureCounters } from './records.js';

/**
 * Per-user brute-force limits. Cognito's exact curve is unpublished; these
 * are in its spirit and tight enough that a guessing script stalls quickly.
 */
const MAX_PASSWORD_FAILURES = 5;
const MAX_CODE_FAILURES = 5;
const LOCKOUT_MS = 15 * 60 * 1000;
const MAX_CODE_SENDS_PER_HOUR = 10;
const HOUR_MS = 3600 * 1000;

export function assertPasswordNotLocked(failures: FailureCounters, nowMs: number): void {
  if (failures.passwordLockedUntil > nowMs) {
    throw new CognitoError('NotAuthorizedException', Messages.passwordAttemptsExceeded);
  }
}

export function recordPasswordFailure(failures: FailureCounters, nowMs: number): void {
  if (failures.passwordLockedUntil !== 0 && failures.passwordLockedUntil <= nowMs) {
    failures.password = 0;
    failures.passwordLockedUntil = 0;
  }
  failures.password += 1;
  if (failures.password >= MAX_PASSWORD_FAILURES) failures.passwordLockedUntil = nowMs + LOCKOUT_MS;
}

export function recordPasswordSuccess(failures: FailureCounters): void {
  failures.password = 0;
  failures.passwordLockedUntil = 0;
}

export function attemptLimitError(): CognitoError {
  return new CognitoError('LimitExceededException', Messages.attemptLimit);
}

export function assertCodeNotLocked(failures: FailureCounters, nowMs: number): void {
  if (failures.codeLockedUntil > nowMs) throw attemptLimitError();
}

export function recordCodeFailure(failures: FailureCounters, nowMs: number): void {
  if (failures.codeLockedUntil !== 0 && failures.codeLockedUntil <= nowMs) {
    failures.code = 0;
    failures.codeLockedUntil = 0;
  }
  failures.code += 1;
  if (failures.code >= MAX_CODE_FAILURES) failures.codeLockedUntil = nowMs + LOCKOUT_MS;
}

export function recordCodeSuccess(failures: FailureCounters): void {
  failures.code = 0;
  failures.codeLockedUntil = 0;
}

/** Limits how often codes are sent, so "resend" cannot be used to spam an inbox. */
export function recordCodeSend(failures: FailureCounters, nowMs: number): void {
  const recent = failures.codeSends.filter((time) => time > nowMs - HOUR_MS);
  if (recent.length >= MAX_CODE_SENDS_PER_HOUR) throw attemptLimitError();
  failures.codeSends = [...recent, nowMs];
}

/**
 * Pool-wide request rate limit (token bucket), Cognito's
 * `TooManyRequestsException`. Generous: it exists to stop runaway loops.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.last = nowMs;
  }

  take(nowMs: number): boolean {
    const elapsed = Math.max(0, nowMs - this.last) / 1000;
    this.last = Math.max(this.last, nowMs);
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.perSecond);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
