import { latestCode } from './codes.js';
import type { PoolContext } from './context.js';
import { CognitoError, invalidParameter, Messages } from './errors.js';
import { emptyFailures, type CodeKind, type UserRecord } from './records.js';
import { normaliseEmail } from './store.js';
import { updateUser } from './user-lock.js';
import { assertEmailUsername, createUserRecord, isPhoneNumber, setPassword } from './users.js';
import { addUserWithAliases } from './aliases.js';

/** Developer-side helpers (seeding, tests, the CLI); not reachable over HTTP. */

export interface AdminCreateUserInput {
  email: string;
  password: string;
  groups?: string[];
  /** Default true: the user can sign in at once, email verified. */
  confirmed?: boolean;
  /** Extra standard or `custom:` attributes (`phone_number`: E.164, verified when `confirmed`). */
  attributes?: Record<string, string>;
}

export interface UserSummary {
  sub: string;
  /** The chosen username, in a pool that signs in by username. */
  username?: string;
  /** Empty for a user without one (sign-in by phone number or username). */
  email: string;
  /** E.164, when the user has one. */
  phoneNumber?: string;
  confirmed: boolean;
  emailVerified: boolean;
  phoneVerified?: boolean;
  groups: string[];
  createdAt: string;
}

function summarise(user: UserRecord): UserSummary {
  return {
    sub: user.sub,
    ...(user.username !== undefined && { username: user.username }),
    email: user.email,
    confirmed: user.confirmed,
    emailVerified: user.emailVerified,
    ...(user.phoneNumber !== undefined && { phoneNumber: user.phoneNumber, phoneVerified: user.phoneVerified === true }),
    groups: [...user.groups],
    createdAt: new Date(user.createdAt).toISOString(),
  };
}

function assertGroupName(group: string): void {
  if (!/^[^\s]{1,128}$/u.test(group)) throw invalidParameter(`Invalid group name: ${group.slice(0, 40)}`);
}

export async function adminCreateUser(ctx: PoolContext, input: AdminCreateUserInput): Promise<UserSummary> {
  const email = assertEmailUsername(input.email);
  input.groups?.forEach(assertGroupName);
  const { phone_number: phoneNumber, ...attributes } = input.attributes ?? {};
  if (phoneNumber !== undefined && !isPhoneNumber(phoneNumber)) throw invalidParameter('Invalid phone number format.');
  const user = createUserRecord(ctx, {
    email,
    phoneNumber,
    password: input.password,
    confirmed: input.confirmed ?? true,
    groups: input.groups,
    attributes,
  });
  await addUserWithAliases(ctx, user, () => undefined);
  return summarise(user);
}

async function requireUser(ctx: PoolContext, email: string): Promise<UserRecord> {
  const user = await ctx.store.findUser(normaliseEmail(email));
  if (!user) throw new CognitoError('UserNotFoundException', Messages.userNotFound);
  return user;
}

/** Groups show up as `cognito:groups` in tokens issued (or refreshed) afterwards. */
export async function adminAddUserToGroup(ctx: PoolContext, email: string, group: string): Promise<void> {
  assertGroupName(group);
  const found = await requireUser(ctx, email);
  await updateUser(ctx, found.sub, (user) => {
    if (!user.groups.includes(group)) user.groups.push(group);
  });
}

export async function adminRemoveUserFromGroup(ctx: PoolContext, email: string, group: string): Promise<void> {
  const found = await requireUser(ctx, email);
  await updateUser(ctx, found.sub, (user) => {
    user.groups = user.groups.filter((name) => name !== group);
  });
}

export async function listUsers(ctx: PoolContext): Promise<UserSummary[]> {
  return (await ctx.store.listUsers()).map(summarise);
}

/** `email` may also be a phone number: codes sent by SMS are found by it. */
export async function lastCode(ctx: PoolContext, email: string): Promise<string | undefined> {
  const user = await ctx.store.findUser(normaliseEmail(email));
  // Only what went to that address: a user with an email and a phone number gets codes on both.
  if (user) return latestCode(user, ctx.now(), email === user.sub ? undefined : email);
  // A pending email change is delivered to an address no user owns yet.
  for (const candidate of await ctx.store.listUsers()) {
    // A pending change, or a phone number that is not a sign-in name, still receives codes.
    const receives = candidate.pendingEmail === normaliseEmail(email) || candidate.pendingPhone === email || candidate.phoneNumber === email;
    if (receives) return latestCode(candidate, ctx.now(), email);
  }
  return undefined;
}

/** A code the pool "sent" and still accepts: what the local console shows. */
export interface PendingCode {
  kind: CodeKind;
  code: string;
  destination: string;
  issuedAt: string;
  expiresAt: string;
}

export interface UserDetails extends UserSummary {
  enabled: boolean;
  attributes: Record<string, string>;
  pendingEmail?: string;
  pendingCodes: PendingCode[];
  mfa: string[];
  updatedAt: string;
}

function details(user: UserRecord, nowMs: number): UserDetails {
  const pendingCodes = Object.entries(user.codes)
    .filter(([, entry]) => entry.expiresAt > nowMs)
    .map(([kind, entry]) => ({
      kind: kind as CodeKind,
      code: entry.code,
      destination: entry.destination,
      issuedAt: new Date(entry.issuedAt).toISOString(),
      expiresAt: new Date(entry.expiresAt).toISOString(),
    }));
  return {
    ...summarise(user),
    enabled: user.disabled !== true,
    attributes: { ...user.attributes },
    ...(user.pendingEmail !== undefined && { pendingEmail: user.pendingEmail }),
    pendingCodes,
    mfa: [...(user.mfa?.enabled ?? [])],
    updatedAt: new Date(user.updatedAt).toISOString(),
  };
}

/** Every user with status, groups and live codes; `search` matches email, sub or group. */
export async function listUserDetails(ctx: PoolContext, search = ''): Promise<UserDetails[]> {
  const needle = search.trim().toLowerCase();
  const now = ctx.now();
  return (await ctx.store.listUsers())
    .filter((user) => !needle || user.email.includes(needle) || user.sub.includes(needle) || user.groups.some((group) => group.toLowerCase().includes(needle)))
    .map((user) => details(user, now));
}

/** AdminConfirmSignUp: the user can sign in without the code; the email counts as verified. */
export async function adminConfirmSignUp(ctx: PoolContext, email: string): Promise<void> {
  const found = await requireUser(ctx, email);
  await updateUser(ctx, found.sub, (user) => {
    user.confirmed = true;
    user.emailVerified = true;
    delete user.codes.signUp;
  });
}

/** AdminDisableUser / AdminEnableUser. Disabling also ends every session, so the user is out at once. */
export async function adminSetUserEnabled(ctx: PoolContext, email: string, enabled: boolean): Promise<void> {
  const found = await requireUser(ctx, email);
  await updateUser(ctx, found.sub, (user) => {
    if (enabled) {
      delete user.disabled;
    } else if (!user.disabled) {
      user.disabled = true;
      user.sessionEpoch += 1;
    }
  });
}

/** AdminSetUserPassword (permanent): checks the pool's password policy; sessions stay. */
export async function adminSetUserPassword(ctx: PoolContext, email: string, password: string): Promise<void> {
  const found = await requireUser(ctx, email);
  await updateUser(ctx, found.sub, (user) => {
    setPassword(ctx, user, password);
    user.failures = emptyFailures();
  });
}

/** AdminDeleteUser: the record and its sign-in alias; its sessions die with it (they name a missing user). */
export async function adminDeleteUser(ctx: PoolContext, email: string): Promise<void> {
  const found = await requireUser(ctx, email);
  await ctx.locks.run(`email:${found.email}`, () => ctx.locks.run(`user:${found.sub}`, () => ctx.store.deleteUser(found)));
}

/**
 * Whether a token this pool issued still stands for a live sign-in: its user
 * exists and is enabled, and its session was not revoked or signed out. The
 * signature is not checked here (the API's own verifier does that): this
 * only ever refuses more.
 */
export async function isSessionLive(ctx: PoolContext, claims: { sub: string; originJti: string }): Promise<boolean> {
  const user = await ctx.store.readUser(claims.sub);
  if (!user || user.disabled) return false;
  const session = await ctx.store.readSession(claims.originJti);
  return session !== undefined && session.sub === user.sub && session.revokedAt === undefined && session.epoch === user.sessionEpoch;
}
