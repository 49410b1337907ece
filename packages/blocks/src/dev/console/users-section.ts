/**
 * The Users tab: the local user pool's admin operations as console actions.
 * The pool is not a Block, so this section is the console's own.
 */
import { BadRequestError } from '../../core/errors.js';
import { inputString, type ConsoleAction, type ConsoleInput } from '../../core/console-panel.js';
import type { LocalUserPool } from '../../local/user-pool/index.js';

const email = (input: ConsoleInput): string => inputString(input, 'email', { max: 320 });
const group = (input: ConsoleInput): string => inputString(input, 'group', { max: 128 });
const password = (input: ConsoleInput): string => inputString(input, 'password', { max: 256 });

export function userActions(pool: LocalUserPool): Readonly<Record<string, ConsoleAction>> {
  return {
    async list(input) {
      return { users: await pool.listUserDetails(inputString(input, 'search', { optional: true, max: 320 })) };
    },
    async create(input) {
      const groups = input.groups === undefined ? [] : input.groups;
      if (!Array.isArray(groups) || !groups.every((name) => typeof name === 'string')) throw new BadRequestError('"groups" must be a list of names');
      return { user: await pool.adminCreateUser({ email: email(input), password: password(input), groups, confirmed: input.confirmed !== false }) };
    },
    async confirm(input) {
      await pool.adminConfirmSignUp(email(input));
      return { ok: true };
    },
    async disable(input) {
      await pool.adminSetUserEnabled(email(input), false);
      return { ok: true };
    },
    async enable(input) {
      await pool.adminSetUserEnabled(email(input), true);
      return { ok: true };
    },
    async setPassword(input) {
      await pool.adminSetUserPassword(email(input), password(input));
      return { ok: true };
    },
    async delete(input) {
      await pool.adminDeleteUser(email(input));
      return { ok: true };
    },
    async addGroup(input) {
      await pool.adminAddUserToGroup(email(input), group(input));
      return { ok: true };
    },
    async removeGroup(input) {
      await pool.adminRemoveUserFromGroup(email(input), group(input));
      return { ok: true };
    },
  };
}
