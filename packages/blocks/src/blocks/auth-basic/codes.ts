/**
 * Six-digit one-time codes for sign-up confirmation and password reset.
 * Stored as an HMAC bound to the purpose and the username (a bare hash of a
 * six-digit number would fall to brute force), valid for ten minutes, and
 * usable once: the first correct use deletes it with a version check, so two
 * concurrent uses cannot both succeed. A new code replaces the previous one.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { isApiError } from '../../core/errors.js';
import type { KVStoreApi } from '../kv-store/types.js';
import type { AuthKeys } from './keys.js';

export type CodePurpose = 'confirmSignUp' | 'forgotPassword';

export interface CodeRecord {
  /** base64url HMAC-SHA256 of purpose, username and code. */
  readonly mac: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

const CODE_TTL_SECONDS = 600;

export class OneTimeCodes {
  readonly #store: KVStoreApi<CodeRecord>;
  readonly #now: () => number;
  readonly #keys: () => Promise<AuthKeys>;
  /** Compared against when there is no live code, so a miss does the same work as a wrong guess. */
  readonly #dummyMac = randomBytes(32);

  constructor(store: KVStoreApi<CodeRecord>, now: () => number, keys: () => Promise<AuthKeys>) {
    this.#store = store;
    this.#now = now;
    this.#keys = keys;
  }

  async issue(purpose: CodePurpose, username: string): Promise<string> {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const mac = await this.#mac(purpose, username, code);
    const record: CodeRecord = { mac: mac.toString('base64url'), expiresAt: this.#now() + CODE_TTL_SECONDS * 1000 };
    await this.#store.put(storeKey(purpose, username), record, { ttlSeconds: CODE_TTL_SECONDS });
    return code;
  }

  /** True, and the code is spent, when `code` is the live code for this purpose and user. */
  async consume(purpose: CodePurpose, username: string, code: string): Promise<boolean> {
    const key = storeKey(purpose, username);
    const item = await this.#store.get(key);
    const live = item !== undefined && item.value.expiresAt > this.#now() ? item : undefined;
    const expected = live ? Buffer.from(live.value.mac, 'base64url') : this.#dummyMac;
    const actual = await this.#mac(purpose, username, code);
    const matches = actual.length === expected.length && timingSafeEqual(actual, expected);
    if (!matches || live === undefined) return false;
    try {
      return await this.#store.delete(key, { ifVersion: live.version });
    } catch (error) {
      // Someone used or replaced it first.
      if (isApiError(error) && error.status === 409) return false;
      throw error;
    }
  }

  async #mac(purpose: CodePurpose, username: string, code: string): Promise<Buffer> {
    const { code: key } = await this.#keys();
    return createHmac('sha256', key).update(`${purpose}\n${username}\n${code}`).digest();
  }
}

// The username first: it is the DynamoDB partition, so codes spread out.
const storeKey = (purpose: CodePurpose, username: string): string => `${username}/${purpose}`;
