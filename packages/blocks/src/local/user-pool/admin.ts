import { latestCode } from './codes.js';
import type { PoolContext } from './context.js';
import { CognitoError, invalidParameter, Messages } from './errors.js';
import type { UserRecord } from './records.js';
import { normaliseEmail } from './store.js';
import { updateUser } from './user-lock.js';
import { assertEmailUsername, createUserRecord, isPhoneNumber } from './users.js';
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
