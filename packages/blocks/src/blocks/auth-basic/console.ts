/**
 * AuthBasic's panel in the local console (its own "AuthBasic users" tab):
 * the accounts without their password hashes; confirm a sign-up, end every
 * session of a user, delete a user. Its stores also show in the Data tab,
 * as every KVStore does.
 */
import { NotFoundError } from '../../core/errors.js';
import { inputString, type ConsoleSection } from '../../core/console-panel.js';
import type { KVStoreApi } from '../kv-store/types.js';
import { Users, type UserRecord } from './users.js';

export function authBasicConsole(store: KVStoreApi<UserRecord>): ConsoleSection {
  const users = new Users(store);
  const username = (input: Readonly<Record<string, unknown>>): string => inputString(input, 'username', { max: 256 });
  const change = async (name: string, apply: (user: UserRecord) => UserRecord): Promise<{ ok: true }> => {
    if (!(await users.update(name, apply))) throw new NotFoundError(`No user "${name.slice(0, 100)}"`);
    return { ok: true };
  };
  return {
    ui: 'auth-basic',
    tab: 'AuthBasic users',
    actions: {
      async list(input) {
        const cursor = inputString(input, 'cursor', { optional: true });
        const page = await store.list({ prefix: inputString(input, 'prefix', { optional: true, max: 256 }), limit: 50, ...(cursor && { cursor }) });
        return {
          users: page.items.map(({ value }) => ({ username: value.username, createdAt: value.createdAt, confirmed: value.confirmed, sessionEpoch: value.sessionEpoch })),
          ...(page.cursor !== undefined && { cursor: page.cursor }),
        };
      },
      confirm: (input) => change(username(input), (user) => ({ ...user, confirmed: true })),
      // Sessions carry the epoch they were made in; a newer one voids them all (sessions.ts).
      signOutEverywhere: (input) => change(username(input), (user) => ({ ...user, sessionEpoch: user.sessionEpoch + 1 })),
      async delete(input) {
        const name = username(input);
        if (!(await store.delete(name))) throw new NotFoundError(`No user "${name.slice(0, 100)}"`);
        return { ok: true };
      },
    },
  };
}
