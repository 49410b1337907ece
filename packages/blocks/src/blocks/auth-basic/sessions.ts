/**
 * Server-side sessions. Each one records the user's session epoch when it
 * was created: a password reset bumps the user's epoch, which ends every
 * older session at once without having to find them.
 */
import type { KVStoreApi } from '../kv-store/types.js';
import { newSessionId, sessionStoreKey } from './session-token.js';

export interface SessionRecord {
  readonly username: string;
  readonly epoch: number;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms. */
  readonly expiresAt: number;
}

export class Sessions {
  readonly #store: KVStoreApi<SessionRecord>;
  readonly #now: () => number;
  readonly #durationSeconds: number;

  constructor(store: KVStoreApi<SessionRecord>, now: () => number, durationSeconds: number) {
    this.#store = store;
    this.#now = now;
    this.#durationSeconds = durationSeconds;
  }

  async create(username: string, epoch: number): Promise<{ id: string; record: SessionRecord }> {
    const id = newSessionId();
    const createdAt = this.#now();
    const record: SessionRecord = { username, epoch, createdAt, expiresAt: createdAt + this.#durationSeconds * 1000 };
    await this.#store.put(sessionStoreKey(id), record, { ifNotExists: true, ttlSeconds: this.#durationSeconds });
    return { id, record };
  }

  /** The live session with this id, judged by the injected clock (the store's TTL only cleans up). */
  async read(id: string): Promise<SessionRecord | undefined> {
    const item = await this.#store.get(sessionStoreKey(id));
    return item !== undefined && item.value.expiresAt > this.#now() ? item.value : undefined;
  }

  async end(id: string): Promise<void> {
    await this.#store.delete(sessionStoreKey(id));
  }
}
