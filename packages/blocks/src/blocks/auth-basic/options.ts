/** AuthBasic's options, their defaults, and the checks that catch a bad value at startup. */
import type { KVStoreApi } from '../kv-store/types.js';
import type { CodePurpose, CodeRecord } from './codes.js';
import type { SameSite } from './cookie-policy.js';
import { DEFAULT_SCRYPT, assertScryptParams, type ScryptParams } from './password.js';
import { resolvePasswordPolicy, type PasswordPolicy, type ResolvedPasswordPolicy } from './password-policy.js';
import type { SessionKeySource } from './runtime.js';
import type { SessionRecord } from './sessions.js';
import type { ThrottleRecord } from './throttle.js';
import type { UserRecord } from './users.js';

/** Sends a one-time code to the user (e.g. by email when usernames are addresses). */
export type CodeDelivery = (username: string, code: string, purpose: CodePurpose) => Promise<void> | void;

export interface LockoutOptions {
  /** Failed sign-ins (or, separately, failed code entries) per account before it locks. Default 5. */
  readonly maxFailures?: number;
  /** Failures from one address (IPv6: one /64) before it locks. Default 20. */
  readonly maxFailuresPerIp?: number;
  /** The counting window and the length of a lock, in seconds. Default 900 (15 minutes). */
  readonly durationSeconds?: number;
  /** Codes sent to one account per window (sign-up, resend, reset), against mail bombing. Default 5. */
  readonly maxCodesSent?: number;
}

export interface AuthBasicStores {
  readonly users: KVStoreApi<UserRecord>;
  readonly sessions: KVStoreApi<SessionRecord>;
  readonly codes: KVStoreApi<CodeRecord>;
  readonly throttle: KVStoreApi<ThrottleRecord>;
}

/** Replacements for what the runtime provides. For tests and unusual wiring; apps never need them. */
export interface AuthBasicOverrides {
  /** Use these stores instead of declaring `<id>-users`, `<id>-sessions`, `<id>-codes` and `<id>-throttle`. */
  readonly stores?: AuthBasicStores;
  readonly sessionKey?: SessionKeySource;
  /** The clock, epoch ms. */
  readonly now?: () => number;
  /** scrypt parameters used as given, even below the defaults (fast tests). */
  readonly scrypt?: ScryptParams;
  readonly allowInsecureLocalhost?: boolean;
}

export interface AuthBasicOptions {
  /** Session lifetime in seconds (cookie Max-Age and stored expiry). Default 86400 (24 hours). */
  readonly sessionDuration?: number;
  readonly passwordPolicy?: PasswordPolicy;
  /**
   * With this, new users stay unconfirmed until they enter the 6-digit code
   * it delivers, and password reset is available.
   */
  readonly codeDelivery?: CodeDelivery;
  readonly lockout?: LockoutOptions;
  /** SameSite of the session cookie. Default 'lax' (see cookie-policy.ts); 'none' for an API on another site. */
  readonly cookie?: { readonly sameSite?: SameSite };
  /** Stronger scrypt parameters than the defaults (they can only go up); existing hashes upgrade at sign-in. */
  readonly passwordHashing?: Partial<ScryptParams>;
  readonly overrides?: AuthBasicOverrides;
}

export interface ResolvedOptions {
  readonly sessionDuration: number;
  readonly passwordPolicy: ResolvedPasswordPolicy;
  readonly codeDelivery: CodeDelivery | undefined;
  readonly lockout: Required<LockoutOptions>;
  readonly sameSite: SameSite;
  readonly scrypt: ScryptParams;
}

/** Browsers cap cookie lifetimes at 400 days. */
const MAX_SESSION_SECONDS = 400 * 24 * 60 * 60;

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new TypeError(`AuthBasic option ${name} must be a whole number from 1 to ${max}, got ${String(value)}.`);
  }
  return value;
}

function resolveScrypt(options: AuthBasicOptions): ScryptParams {
  if (options.overrides?.scrypt) return assertScryptParams(options.overrides.scrypt);
  const params = assertScryptParams({ ...DEFAULT_SCRYPT, ...options.passwordHashing });
  const weaker = (Object.keys(DEFAULT_SCRYPT) as (keyof ScryptParams)[]).filter((name) => params[name] < DEFAULT_SCRYPT[name]);
  if (weaker.length > 0) {
    throw new TypeError(`AuthBasic passwordHashing can only raise the defaults ${JSON.stringify(DEFAULT_SCRYPT)}; ${weaker.join(', ')} is lower.`);
  }
  return params;
}

export function resolveOptions(options: AuthBasicOptions): ResolvedOptions {
  const lockout = options.lockout ?? {};
  const sameSite = options.cookie?.sameSite ?? 'lax';
  if (!['lax', 'strict', 'none'].includes(sameSite)) {
    throw new TypeError(`AuthBasic option cookie.sameSite must be 'lax', 'strict' or 'none', got ${String(sameSite)}.`);
  }
  if (options.codeDelivery !== undefined && typeof options.codeDelivery !== 'function') {
    throw new TypeError('AuthBasic option codeDelivery must be a function (username, code) => Promise<void>.');
  }
  return {
    sessionDuration: positiveInteger('sessionDuration', options.sessionDuration ?? 86_400, MAX_SESSION_SECONDS),
    passwordPolicy: resolvePasswordPolicy(options.passwordPolicy),
    codeDelivery: options.codeDelivery,
    lockout: {
      maxFailures: positiveInteger('lockout.maxFailures', lockout.maxFailures ?? 5),
      maxFailuresPerIp: positiveInteger('lockout.maxFailuresPerIp', lockout.maxFailuresPerIp ?? 20),
      durationSeconds: positiveInteger('lockout.durationSeconds', lockout.durationSeconds ?? 900, MAX_SESSION_SECONDS),
      maxCodesSent: positiveInteger('lockout.maxCodesSent', lockout.maxCodesSent ?? 5),
    },
    sameSite,
    scrypt: resolveScrypt(options),
  };
}
