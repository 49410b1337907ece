import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { PoolContext } from './context.js';
import { CognitoError, invalidParameter } from './errors.js';
import type { AttributeInput } from './input.js';
import { assertPasswordAllowed } from './password-policy.js';
import { emptyFailures, type UserRecord } from './records.js';
import { computeVerifier, computeX, newSalt, padHex, parseHex, verifierBytes } from './srp.js';
import type { PoolSettings } from './settings.js';
import { normaliseEmail } from './store.js';

/** Standard OIDC attributes a client may write (Cognito's defaults). */
const WRITABLE_STANDARD = new Set([
  'address',
  'birthdate',
  'email',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);
const READ_ONLY = new Set(['sub', 'email_verified', 'phone_number_verified', 'identities']);

const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

function isEmail(value: string): boolean {
  return value.length <= 128 && EMAIL_RE.test(value);
}

/** E.164, as Cognito requires: a plus, the country code, digits only. */
const PHONE_RE = /^\+[1-9]\d{4,14}$/;

export function isPhoneNumber(value: string): boolean {
  return PHONE_RE.test(value);
}

/** A free username: visible characters, no spaces (Cognito's pattern for usernames). */
function assertUsername(username: string): string {
  if (!/^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u.test(username)) {
    throw invalidParameter("1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+");
  }
  return username;
}

/** Sign-in is by email, as in a pool with `usernameAttributes: ['email']`. */
export function assertEmailUsername(username: string): string {
  if (!isEmail(username)) throw invalidParameter('Username should be an email.');
  return normaliseEmail(username);
}

/** A SignUp Username: an email or a phone number, as the pool's `usernameAttributes` allow, in Cognito's words. */
export function parseSignInName(
  settings: Pick<PoolSettings, 'usernameAttributes'>,
  username: string,
): { email: string } | { phone: string } | { username: string } {
  if (settings.usernameAttributes.length === 0) return { username: assertUsername(username) };
  const byEmail = settings.usernameAttributes.includes('email');
  const byPhone = settings.usernameAttributes.includes('phone_number');
  if (byEmail && isEmail(username)) return { email: normaliseEmail(username) };
  if (byPhone && isPhoneNumber(username)) return { phone: username };
  if (byEmail && byPhone) throw invalidParameter('Username should be either an email or a phone number.');
  if (byPhone) throw invalidParameter('Username should be a phone number.');
  return { email: assertEmailUsername(username) };
}

/**
 * Splits a client's attribute list into the email (handled specially: it is
 * the sign-in alias) and the rest, refusing read-only or unknown names the
 * way Cognito does.
 */
export function splitAttributes(
  list: AttributeInput[],
  customAttributes: readonly string[] | 'any' = 'any',
): { email?: string; phone?: string; others: Record<string, string> } {
  const others: Record<string, string> = {};
  let email: string | undefined;
  let phone: string | undefined;
  for (const { Name, Value } of list) {
    if (READ_ONLY.has(Name)) {
      throw new CognitoError('NotAuthorizedException', 'A client attempted to write unauthorized attribute');
    }
    const isCustom = /^custom:[\w.-]{1,20}$/.test(Name) && (customAttributes === 'any' || customAttributes.includes(Name));
    if (!WRITABLE_STANDARD.has(Name) && !isCustom) {
      throw invalidParameter(
        `Attributes did not conform to the schema: ${Name}: Attribute does not exist in the schema.\n`,
      );
    }
    if (Name === 'email') {
      if (!isEmail(Value)) throw invalidParameter('Invalid email address format.');
      email = normaliseEmail(Value);
    } else if (Name === 'phone_number') {
      if (!isPhoneNumber(Value)) throw invalidParameter('Invalid phone number format.');
      phone = Value;
    } else {
      others[Name] = Value;
    }
  }
  return { email, phone, others };
}

/** SignUp must carry every required attribute of the schema, as Cognito checks. */
export function assertRequiredAttributes(required: readonly string[], given: Record<string, string>): void {
  for (const name of required) {
    if (!given[name]) {
      throw invalidParameter(`Attributes did not conform to the schema: ${name}: The attribute ${name} is required`);
    }
  }
}

function srpMaterial(ctx: PoolContext, sub: string, password: string): UserRecord['srp'] {
  const salt = newSalt();
  const verifier = computeVerifier(computeX(ctx.poolName, sub, password, salt));
  return { salt: padHex(salt), verifier: padHex(verifier) };
}

export interface NewUserInput {
  /** In a pool that signs in by username. */
  username?: string;
  /** At least one of email and phone number. */
  email?: string;
  phoneNumber?: string;
  password: string;
  confirmed: boolean;
  groups?: string[];
  attributes?: Record<string, string>;
}

/** A user record with SRP verifier material; checks the password policy first. */
export function createUserRecord(ctx: PoolContext, input: NewUserInput): UserRecord {
  assertPasswordAllowed(input.password, ctx.passwordPolicy);
  const sub = randomUUID();
  const now = ctx.now();
  return {
    version: 1,
    sub,
    ...(input.username !== undefined && { username: input.username }),
    email: input.email === undefined ? '' : normaliseEmail(input.email),
    emailVerified: input.confirmed && input.email !== undefined,
    ...(input.phoneNumber !== undefined && { phoneNumber: input.phoneNumber, phoneVerified: input.confirmed }),
    confirmed: input.confirmed,
    attributes: { ...input.attributes },
    groups: [...new Set(input.groups ?? [])],
    srp: srpMaterial(ctx, sub, input.password),
    codes: {},
    failures: emptyFailures(),
    sessionEpoch: 0,
    createdAt: now,
    updatedAt: now,
  };
}

export function setPassword(ctx: PoolContext, user: UserRecord, password: string): void {
  assertPasswordAllowed(password, ctx.passwordPolicy);
  user.srp = srpMaterial(ctx, user.sub, password);
}

/** Recomputes the verifier from a plain password (USER_PASSWORD_AUTH, ChangePassword). */
export function passwordMatches(ctx: PoolContext, user: UserRecord, password: string): boolean {
  const salt = parseHex(user.srp.salt);
  const stored = parseHex(user.srp.verifier);
  if (salt === undefined || stored === undefined) return false;
  return verifierMatches(ctx, { userIdForSrp: user.sub, salt, verifier: stored }, password);
}

/** The arithmetic of a password check, shared with the decoy of an unknown name so both cost the same. */
export function verifierMatches(
  ctx: PoolContext,
  identity: { userIdForSrp: string; salt: bigint; verifier: bigint },
  password: string,
): boolean {
  const candidate = computeVerifier(computeX(ctx.poolName, identity.userIdForSrp, password, identity.salt));
  return timingSafeEqual(verifierBytes(candidate), verifierBytes(identity.verifier));
}

/** Attributes as GetUser lists them; Cognito sends booleans as strings. */
export function attributeList(user: UserRecord): AttributeInput[] {
  return [
    { Name: 'sub', Value: user.sub },
    ...Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
    ...(user.phoneNumber
      ? [
          { Name: 'phone_number_verified', Value: String(user.phoneVerified === true) },
          { Name: 'phone_number', Value: user.phoneNumber },
        ]
      : []),
    ...(user.email
      ? [
          { Name: 'email_verified', Value: String(user.emailVerified) },
          { Name: 'email', Value: user.email },
        ]
      : []),
  ];
}
