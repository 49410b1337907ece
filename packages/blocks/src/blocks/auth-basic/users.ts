/** The account records: one per normalised username. */
import { isApiError, ServiceUnavailableError } from '../../core/errors.js';
import type { KVItem, KVStoreApi } from '../kv-store/types.js';
import type { PasswordHash } from './password.js';

export interface UserRecord {
  readonly username: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** False until the sign-up code is confirmed (always true without codeDelivery). */
  readonly confirmed: boolean;
  readonly password: PasswordHash;
  /** Sessions created under an older epoch are void (see sessions.ts). */
  readonly sessionEpoch: number;
}

const MAX_UPDATE_ATTEMPTS = 5;

export class Users {
  readonly #store: KVStoreApi<UserRecord>;

  constructor(store: KVStoreApi<UserRecord>) {
    this.#store = store;
  }

  get(username: string): Promise<KVItem<UserRecord> | undefined> {
    return this.#store.get(username);
  }

  /** Resolves to false when the username is taken. */
  async create(record: UserRecord): Promise<boolean> {
    try {
      await this.#store.put(record.username, record, { ifNotExists: true });
      return true;
    } catch (error) {
      if (isApiError(error) && error.status === 409) return false;
      throw error;
    }
  }

  /** Deletes a sign-up that was never confirmed; a confirmed account (or a newer write) is left alone. */
  async removeUnconfirmed(username: string): Promise<void> {
    const current = await this.#store.get(username);
    if (current === undefined || current.value.confirmed) return;
    await this.#store.delete(username, { ifVersion: current.version });
  }

  /**
   * Applies `change` to the current record with an optimistic lock, retrying
   * when a concurrent write got there first. Resolves to the new record, or
   * undefined when there is no such user.
   */
  async update(username: string, change: (current: UserRecord) => UserRecord): Promise<UserRecord | undefined> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const current = await this.#store.get(username);
      if (current === undefined) return undefined;
      const next = change(current.value);
      try {
        await this.#store.put(username, next, { ifVersion: current.version });
        return next;
      } catch (error) {
        if (!(isApiError(error) && error.status === 409)) throw error;
      }
    }
    throw new ServiceUnavailableError('The account is busy; retry shortly');
  }
}
