import type { PoolContext } from './context.js';
import { CognitoError, Messages } from './errors.js';
import type { UserRecord } from './records.js';

/**
 * Runs `change` on a fresh copy of the user under the user's lock and saves
 * the record if it changed — also when `change` throws, because failure
 * counters must stick even though the request fails. Handlers validate input
 * before mutating so a rejected request saves nothing else.
 */
export async function updateUser<T>(
  ctx: PoolContext,
  sub: string,
  change: (user: UserRecord) => T | Promise<T>,
): Promise<T> {
  return ctx.locks.run(`user:${sub}`, async () => {
    const user = await ctx.store.readUser(sub);
    if (!user) throw new CognitoError('UserNotFoundException', Messages.userNotFound);
    const before = JSON.stringify(user);
    const save = async () => {
      if (JSON.stringify(user) === before) return;
      user.updatedAt = ctx.now();
      await ctx.store.writeUser(user);
    };
    let result: T;
    try {
      result = await change(user);
    } catch (error) {
      await save();
      throw error;
    }
    await save();
    return result;
  });
}
