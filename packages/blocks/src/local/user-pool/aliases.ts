/**
 * Sign-in names of a new user: a username, an email, a phone number, as the
 * pool signs in. Each is taken under its own lock, always in the same order
 * (username, email, phone), so two sign-ups cannot both claim a name.
 */
import type { PoolContext } from './context.js';
import { CognitoError } from './errors.js';
import type { UserRecord } from './records.js';
import { normaliseUsername } from './store.js';

type NameKind = 'email' | 'phone_number' | 'username';

const TAKEN: Record<NameKind, string> = {
  email: 'An account with the given email already exists.',
  phone_number: 'An account with the given phone_number already exists.',
  username: 'User already exists',
};

/** The user's names that are sign-in names in this pool. */
function signInNames(ctx: PoolContext, user: UserRecord): { key: string; name: string; attribute: NameKind }[] {
  const names: { key: string; name: string; attribute: NameKind }[] = [];
  if (user.username !== undefined) {
    names.push({ key: `username:${normaliseUsername(user.username)}`, name: user.username, attribute: 'username' });
  }
  if (user.email && ctx.store.emailSignIn) names.push({ key: `email:${user.email}`, name: user.email, attribute: 'email' });
  if (user.phoneNumber && ctx.store.phoneSignIn) {
    names.push({ key: `phone:${user.phoneNumber}`, name: user.phoneNumber, attribute: 'phone_number' });
  }
  return names;
}

/** Refuses a name another account signs in with, then stores the user and its aliases, then runs `after` under the same locks. */
export async function addUserWithAliases<T>(ctx: PoolContext, user: UserRecord, after: () => T): Promise<T> {
  const names = signInNames(ctx, user);
  const step = async (index: number): Promise<T> => {
    const entry = names[index];
    if (entry) return ctx.locks.run(entry.key, () => step(index + 1));
    for (const { name, attribute } of names) {
      if (await ctx.store.findUser(name)) throw new CognitoError('UsernameExistsException', TAKEN[attribute]);
    }
    const result = after();
    await ctx.store.addUser(user);
    return result;
  };
  return step(0);
}
