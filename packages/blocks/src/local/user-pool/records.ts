import { isJsonObject } from '../../core/safe-json.js';
import type { MfaMethod } from './settings.js';

/** What a one-time code is for; each kind has at most one live code per user. */
export type CodeKind = 'signUp' | 'forgotPassword' | 'verifyEmail' | 'verifyPhone' | 'signIn';

export interface StoredCode {
  /** Six digits. Kept readable: the local pool's whole point is showing it to the developer. */
  code: string;
  /** Where it "went" (the email address or phone number). */
  destination: string;
  issuedAt: number;
  expiresAt: number;
}

export interface FailureCounters {
  password: number;
  passwordLockedUntil: number;
  code: number;
  codeLockedUntil: number;
  /** Times (ms) of recent code sends, for the send rate limit. */
  codeSends: number[];
}

export interface UserRecord {
  version: 1;
  /** Also the Cognito username (`cognito:username`), as in a pool with username attributes; always `USER_ID_FOR_SRP`. */
  sub: string;
  /** The chosen username, in a pool that signs in by username: then the Cognito username. */
  username?: string;
  /**
   * Case-folded email: a sign-in name when the pool signs in by email. Empty
   * for a user without one (a pool that signs in by phone number only).
   */
  email: string;
  emailVerified: boolean;
  /** E.164 phone number (`phone_number`): SMS codes go here; a sign-in name when the pool signs in by phone. */
  phoneNumber?: string;
  phoneVerified?: boolean;
  /** A requested phone change awaiting its SMS code (sign-in-by-phone pools keep the old one meanwhile). */
  pendingPhone?: string;
  /** A requested email change awaiting its code (Cognito's keep-original behaviour). */
  pendingEmail?: string;
  confirmed: boolean;
  /** Set by an admin (the local console): refuses sign-in and ends every session, as AdminDisableUser. */
  disabled?: boolean;
  /** Other standard and `custom:` attributes. */
  attributes: Record<string, string>;
  groups: string[];
  /** SRP salt and verifier (hex); the password itself is never stored. */
  srp: { salt: string; verifier: string };
  codes: Partial<Record<CodeKind, StoredCode>>;
  failures: FailureCounters;
  /** Second factors; absent until the user sets one up. */
  mfa?: MfaRecord;
  /** Bumped by GlobalSignOut: sessions from an older epoch are revoked. */
  sessionEpoch: number;
  createdAt: number;
  updatedAt: number;
}

export interface MfaRecord {
  /** Base32 TOTP secret, once VerifySoftwareToken proved the app has it. */
  totpSecret?: string;
  /** Secret from AssociateSoftwareToken still waiting for VerifySoftwareToken. */
  pendingTotpSecret?: string;
  /** Last TOTP time step accepted, so a code works once. */
  lastTotpStep?: number;
  /** Methods the user turned on (SetUserMFAPreference, or MFA_SETUP at sign-in). */
  enabled: MfaMethod[];
  preferred?: MfaMethod;
}

/** One sign-in: the refresh token and every token minted from it share `originJti`. */
export interface SessionRecord {
  version: 1;
  originJti: string;
  sub: string;
  clientId: string;
  /** SHA-256 (hex) of the refresh token's secret part. */
  refreshTokenHash: string;
  epoch: number;
  /** Seconds, as the `auth_time` claim. */
  authTime: number;
  eventId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt?: number;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function emptyFailures(): FailureCounters {
  return { password: 0, passwordLockedUntil: 0, code: 0, codeLockedUntil: 0, codeSends: [] };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isJsonObject(value) && Object.values(value).every((entry) => typeof entry === 'string');
}

/**
 * Checks a user file's shape; a file a developer broke by hand reads as
 * "no such user" rather than crashing requests.
 */
export function parseUserRecord(value: unknown): UserRecord | undefined {
  if (!isJsonObject(value) || value.version !== 1) return undefined;
  const { sub, email, emailVerified, confirmed, attributes, groups, srp, codes, failures, sessionEpoch } = value;
  if (typeof sub !== 'string' || !UUID_RE.test(sub) || typeof email !== 'string') return undefined;
  if (typeof emailVerified !== 'boolean' || typeof confirmed !== 'boolean') return undefined;
  if (!isStringRecord(attributes) || !Array.isArray(groups) || !groups.every((x) => typeof x === 'string')) {
    return undefined;
  }
  if (!isStringRecord(srp) || typeof srp.salt !== 'string' || typeof srp.verifier !== 'string') return undefined;
  if (!isJsonObject(codes) || !isJsonObject(failures) || typeof sessionEpoch !== 'number') return undefined;
  const record = value as unknown as UserRecord;
  if (record.phoneNumber !== undefined && typeof record.phoneNumber !== 'string') return undefined;
  // Files written before phone support kept the number among the attributes.
  const { phone_number: legacyPhone, ...attributesLeft } = record.attributes;
  const phone = record.phoneNumber === undefined && legacyPhone !== undefined ? { phoneNumber: legacyPhone, attributes: attributesLeft } : {};
  return { ...record, ...phone, failures: { ...emptyFailures(), ...record.failures } };
}

export function parseSessionRecord(value: unknown): SessionRecord | undefined {
  if (!isJsonObject(value) || value.version !== 1) return undefined;
  const fields = ['originJti', 'sub', 'clientId', 'refreshTokenHash', 'eventId'] as const;
  if (!fields.every((field) => typeof value[field] === 'string')) return undefined;
  const numbers = ['epoch', 'authTime', 'createdAt', 'expiresAt'] as const;
  if (!numbers.every((field) => typeof value[field] === 'number')) return undefined;
  return value as unknown as SessionRecord;
}
