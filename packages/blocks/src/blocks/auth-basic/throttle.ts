/**
 * Attempt counters with a lockout that lifts by itself, kept in a KVStore so
 * they hold across Lambda instances.
 *
 * An attempt is counted when it starts (`begin`), not when it fails, so a
 * burst of parallel guesses cannot all slip in before the first failure is
 * written. A success then gives the attempt back: the account's counter is
 * cleared, while an address's counter only loses that one attempt (clearing
 * it would let one valid account launder guesses against others).
 *
 * Counts and locks are judged by the injected clock; the store's TTL only
 * cleans up.
 */
import { isApiError, ServiceUnavailableError } from '../../core/errors.js';
import type { KVStoreApi } from '../kv-store/types.js';
import { TooManyAttemptsException } from './errors.js';

export interface ThrottleRecord {
  readonly count: number;
  /** Epoch ms of the first attempt counted in this window. */
  readonly windowStart: number;
  /** Epoch ms until which attempts are refused. */
  readonly lockedUntil?: number;
}

export interface ThrottleRule {
  readonly key: string;
  /** The attempt that reaches this count is the last one allowed in the window. */
  readonly limit: number;
  /** What a success does to this counter. */
  readonly onSuccess: 'reset' | 'undo';
}

export interface Attempt {
  succeeded(): Promise<void>;
}

const MAX_UPDATE_ATTEMPTS = 10;

export class Throttle {
  readonly #store: KVStoreApi<ThrottleRecord>;
  readonly #now: () => number;
  /** Both the counting window and the lockout, in ms. */
  readonly #periodMs: number;

  constructor(store: KVStoreApi<ThrottleRecord>, now: () => number, periodSeconds: number) {
    this.#store = store;
    this.#now = now;
    this.#periodMs = periodSeconds * 1000;
  }

  /** Refuses with 429 if any counter is locked; otherwise counts this attempt against each. */
  async begin(rules: readonly ThrottleRule[]): Promise<Attempt> {
    const now = this.#now();
    const items = await Promise.all(rules.map((rule) => this.#store.get(rule.key)));
    const retryAfter = Math.max(0, ...items.map((item) => this.#retryAfterSeconds(item?.value, now)));
    if (retryAfter > 0) throw new TooManyAttemptsException(retryAfter);
    await Promise.all(rules.map((rule) => this.#update(rule.key, (current) => this.#counted(current, rule, now))));
    return {
      succeeded: async () => {
        await Promise.all(
          rules.map((rule) =>
            rule.onSuccess === 'reset' ? this.#store.delete(rule.key).then(() => undefined) : this.#update(rule.key, (current) => this.#givenBack(current, rule)),
          ),
        );
      },
    };
  }

  /** Clears a counter outright, e.g. the sign-in lock after a password reset. */
  async reset(key: string): Promise<void> {
    await this.#store.delete(key);
  }

  #retryAfterSeconds(record: ThrottleRecord | undefined, now: number): number {
    const until = record?.lockedUntil;
    return until !== undefined && until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  #counted(current: ThrottleRecord | undefined, rule: ThrottleRule, now: number): ThrottleRecord {
    // A concurrent attempt may have locked the counter since `begin` looked.
    const retryAfter = this.#retryAfterSeconds(current, now);
    if (retryAfter > 0) throw new TooManyAttemptsException(retryAfter);
    const expired = current === undefined || current.lockedUntil !== undefined || current.windowStart + this.#periodMs <= now;
    const count = expired ? 1 : current.count + 1;
    const windowStart = expired ? now : current.windowStart;
    return { count, windowStart, ...(count >= rule.limit && { lockedUntil: now + this.#periodMs }) };
  }

  #givenBack(current: ThrottleRecord | undefined, rule: ThrottleRule): ThrottleRecord | undefined {
    if (current === undefined || current.count <= 1) return undefined;
    const count = current.count - 1;
    const { lockedUntil } = current;
    return { count, windowStart: current.windowStart, ...(count >= rule.limit && lockedUntil !== undefined && { lockedUntil }) };
  }

  /** Optimistic read-modify-write; `undefined` from `change` deletes the counter. */
  async #update(key: string, change: (current: ThrottleRecord | undefined) => ThrottleRecord | undefined): Promise<void> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      const current = await this.#store.get(key);
      const next = change(current?.value);
      try {
        if (next === undefined) {
          if (current !== undefined) await this.#store.delete(key, { ifVersion: current.version });
          return;
        }
        const ends = Math.max(next.windowStart + this.#periodMs, next.lockedUntil ?? 0);
        const ttlSeconds = Math.max(1, Math.ceil((ends - this.#now()) / 1000) + 1);
        const condition = current === undefined ? { ifNotExists: true } : { ifVersion: current.version };
        await this.#store.put(key, next, { ...condition, ttlSeconds });
        return;
      } catch (error) {
        if (!(isApiError(error) && error.status === 409)) throw error;
      }
    }
    throw new ServiceUnavailableError('Too many concurrent sign-in attempts; retry shortly');
  }
}
