/**
 * The behavioural suite every KVStore implementation must pass. It uses only
 * the public `KVStoreApi`, so the same tests run against the local files and
 * against DynamoDB.
 *
 * Ordering is guaranteed only within a partition: a listing whose prefix
 * contains '/' (e.g. `<user>/`) comes back in UTF-8 byte order. A listing
 * without '/' in its prefix may span partitions (a DynamoDB Scan), so those
 * are checked as sets: complete, without duplicates, across every page.
 *
 * @example
 * describeKVStoreContract('LocalKVStore', async () => new LocalKVStore(await freshDir()));
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, BadRequestError, ConflictError, PayloadTooLargeError } from '../../../core/errors.js';
import { MAX_KEY_BYTES, MAX_VALUE_BYTES, type KVItem, type KVStoreApi, type ListOptions } from '../types.js';
import { compareKeys } from '../validate.js';

export interface KVStoreContractOptions {
  /**
   * How the TTL test lets time pass. 'fake' (default) moves `Date.now()`
   * forward with vitest's fake Date, which is instant and works for any
   * implementation that computes and checks `expiresAt` with the process
   * clock. 'real' sleeps until the item has expired (about 2 s).
   */
  readonly clock?: 'fake' | 'real';
}

type ErrorClass = new (...args: never[]) => ApiError;

async function expectApiError(promise: Promise<unknown>, errorClass: ErrorClass, status: number): Promise<ApiError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(errorClass);
  expect((error as ApiError).status).toBe(status);
  return error as ApiError;
}

const expectBadRequest = (promise: Promise<unknown>): Promise<ApiError> => expectApiError(promise, BadRequestError, 400);
const expectConflict = (promise: Promise<unknown>): Promise<ApiError> => expectApiError(promise, ConflictError, 409);

/** Follows cursors to the end; fails instead of looping forever on a cursor that never ends. */
async function listAll(store: KVStoreApi<unknown>, options: Omit<ListOptions, 'cursor'> = {}): Promise<KVItem<unknown>[]> {
  const items: KVItem<unknown>[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 10_000; page++) {
    const result = await store.list({ ...options, cursor });
    items.push(...result.items);
    cursor = result.cursor;
    if (cursor === undefined) return items;
  }
  throw new Error('list never returned a page without a cursor');
}

const keysOf = (items: readonly KVItem<unknown>[]): string[] => items.map((item) => item.key);
const sortedKeys = (keys: readonly string[]): string[] => [...keys].sort(compareKeys);
/** For cross-partition listings, whose order is unspecified: sorting keeps duplicates visible. */
const keySet = (items: readonly KVItem<unknown>[]): string[] => sortedKeys(keysOf(items));
const byKey = (items: readonly KVItem<unknown>[]): KVItem<unknown>[] =>
  [...items].sort((a, b) => compareKeys(a.key, b.key));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads and increments a counter with ifVersion, retrying on conflict: the classic optimistic-lock loop. */
async function increment(store: KVStoreApi<unknown>, key: string): Promise<number> {
  for (let attempt = 0; attempt < 1000; attempt++) {
    const current = await store.get(key);
    const next = ((current?.value as number | undefined) ?? 0) + 1;
    try {
      if (current === undefined) await store.put(key, next, { ifNotExists: true });
      else await store.put(key, next, { ifVersion: current.version });
      return attempt;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new Error(`increment of ${key} kept conflicting`);
}

/**
 * Registers the contract tests. `open` must resolve to an empty store that no
 * other test uses; it is called once per test.
 */
export function describeKVStoreContract(
  name: string,
  open: () => Promise<KVStoreApi<unknown>>,
  options: KVStoreContractOptions = {},
): void {
  describe(`KVStore contract: ${name}`, () => {
    let store: KVStoreApi<unknown>;

    beforeEach(async () => {
      store = await open();
    });

    describe('get / put / delete', () => {
      it('returns undefined for a missing key', async () => {
        expect(await store.get('missing')).toBeUndefined();
      });

      it('puts, gets and bumps the version by one on every write', async () => {
        const first = await store.put('greeting', 'hello');
        expect(first).toEqual({ key: 'greeting', value: 'hello', version: 1 });
        expect(await store.get('greeting')).toEqual(first);
        const second = await store.put('greeting', 'hi');
        expect(second).toEqual({ key: 'greeting', value: 'hi', version: 2 });
        expect(await store.put('greeting', 'hey')).toMatchObject({ version: 3 });
        expect(await store.get('greeting')).toEqual({ key: 'greeting', value: 'hey', version: 3 });
      });

      it('round-trips nested JSON values and top-level primitives', async () => {
        const nested = {
          name: 'Zoë 😀',
          tags: ['a', 'b', ''],
          nested: { deep: { deeper: [1, 2.5, -3e-7, { x: null }] } },
          empty: {},
          emptyList: [],
          flag: false,
          zero: 0,
        };
        const values: unknown[] = [nested, 'text', 42, -0.5, true, false, null, [], [[1], [2, [3]]], ''];
        for (const [i, value] of values.entries()) {
          const key = `value/${i}`;
          expect((await store.put(key, value)).value).toEqual(value);
          expect((await store.get(key))?.value).toEqual(value);
        }
        const listed = await listAll(store, { prefix: 'value/' });
        expect(listed.map((item) => item.value)).toEqual(
          sortedKeys(values.map((_, i) => `value/${i}`)).map((key) => values[Number(key.slice(6))]),
        );
      });

      it('deletes: true for a live item, false when absent, and a re-put starts again at version 1', async () => {
        await store.put('doomed', 1);
        await store.put('doomed', 2);
        expect(await store.delete('doomed')).toBe(true);
        expect(await store.get('doomed')).toBeUndefined();
        expect(await store.delete('doomed')).toBe(false);
        expect(await store.delete('never-existed')).toBe(false);
        expect(keysOf((await store.list()).items)).toEqual([]);
        expect(await store.put('doomed', 3)).toMatchObject({ version: 1, value: 3 });
      });

      it('deletes with ifVersion only when the version matches', async () => {
        await store.put('k', 'a');
        await store.put('k', 'b');
        await expectConflict(store.delete('k', { ifVersion: 1 }));
        expect(await store.get('k')).toMatchObject({ value: 'b', version: 2 });
        expect(await store.delete('k', { ifVersion: 2 })).toBe(true);
        await expectConflict(store.delete('k', { ifVersion: 2 }));
        await expectConflict(store.delete('never-existed', { ifVersion: 1 }));
      });
    });

    describe('conditional puts', () => {
      it('ifNotExists creates once, then conflicts and leaves the item alone', async () => {
        expect(await store.put('once', 'first', { ifNotExists: true })).toMatchObject({ version: 1 });
        const error = await expectConflict(store.put('once', 'second', { ifNotExists: true }));
        expect(error.code).toBe(-32009);
        expect(await store.get('once')).toMatchObject({ value: 'first', version: 1 });
        await store.delete('once');
        expect(await store.put('once', 'third', { ifNotExists: true })).toMatchObject({ value: 'third', version: 1 });
      });

      it('ifVersion writes only over exactly that version', async () => {
        await store.put('doc', { n: 1 });
        expect(await store.put('doc', { n: 2 }, { ifVersion: 1 })).toMatchObject({ version: 2, value: { n: 2 } });
        await expectConflict(store.put('doc', { n: 3 }, { ifVersion: 1 }));
        await expectConflict(store.put('doc', { n: 3 }, { ifVersion: 3 }));
        expect(await store.get('doc')).toMatchObject({ version: 2, value: { n: 2 } });
        await expectConflict(store.put('absent', 1, { ifVersion: 1 }));
        expect(await store.get('absent')).toBeUndefined();
      });

      it('rejects invalid put options', async () => {
        await expectBadRequest(store.put('k', 1, { ifNotExists: true, ifVersion: 1 }));
        const invalid: unknown[] = [
          { ttlSeconds: 0 },
          { ttlSeconds: -1 },
          { ttlSeconds: 1.5 },
          { ttlSeconds: Number.NaN },
          { ttlSeconds: '5' },
          { ifVersion: 0 },
          { ifVersion: 1.5 },
          { ifVersion: '1' },
          { ifNotExists: 'yes' },
          'options',
          null,
        ];
        for (const options of invalid) await expectBadRequest(store.put('k', 1, options as never));
        await expectBadRequest(store.delete('k', { ifVersion: 0 }));
        await expectBadRequest(store.delete('k', { ifVersion: -2 }));
        expect(await store.get('k')).toBeUndefined();
      });
    });

    describe('ttl', () => {
      const clock = options.clock ?? 'fake';
      afterEach(() => {
        vi.useRealTimers();
      });

      it('items vanish from get, list, delete and conditions once expiresAt has passed', async () => {
        if (clock === 'fake') vi.useFakeTimers({ toFake: ['Date'] });
        const before = Date.now() / 1000;
        const shortLived = await store.put('ttl/short', 'bye', { ttlSeconds: 1 });
        const longLived = await store.put('ttl/long', 'stay', { ttlSeconds: 3600 });
        await store.put('ttl/forever', 'always');
        await store.put('ttl-other', 'elsewhere', { ttlSeconds: 1 });
        expect(shortLived.expiresAt).toBeGreaterThanOrEqual(before + 1);
        expect(shortLived.expiresAt).toBeLessThanOrEqual(before + 3);
        expect(await store.get('ttl/short')).toEqual(shortLived);
        expect((await store.get('ttl/forever'))?.expiresAt).toBeUndefined();
        expect(keysOf(await listAll(store, { prefix: 'ttl/' }))).toEqual(['ttl/forever', 'ttl/long', 'ttl/short']);
        expect(keySet(await listAll(store))).toEqual(['ttl-other', 'ttl/forever', 'ttl/long', 'ttl/short']);

        const expiresAt = shortLived.expiresAt ?? 0;
        if (clock === 'fake') vi.setSystemTime((expiresAt + 0.01) * 1000);
        else await sleep(Math.max(0, expiresAt * 1000 - Date.now()) + 50);

        expect(await store.get('ttl/short')).toBeUndefined();
        expect(await store.get('ttl-other')).toBeUndefined();
        const forever = { key: 'ttl/forever', value: 'always', version: 1 };
        expect(await listAll(store, { prefix: 'ttl/' })).toEqual([forever, longLived]);
        expect(byKey(await listAll(store))).toEqual([forever, longLived]);
        expect(await listAll(store, { prefix: 'ttl' })).toHaveLength(2);
        expect((await store.list({ prefix: 'ttl/s' })).items).toEqual([]);
        expect((await store.list({ prefix: 'ttl-' })).items).toEqual([]);
        await expectConflict(store.put('ttl/short', 'again', { ifVersion: 1 }));
        expect(await store.delete('ttl/short')).toBe(false);
        // An expired item counts as absent: ifNotExists succeeds and versions restart.
        expect(await store.put('ttl/short', 'again', { ifNotExists: true })).toEqual({
          key: 'ttl/short',
          value: 'again',
          version: 1,
        });
        expect(await store.put('ttl-other', 'back')).toEqual({ key: 'ttl-other', value: 'back', version: 1 });
      });

      it('a put without ttlSeconds clears an earlier expiry', async () => {
        if (clock === 'fake') vi.useFakeTimers({ toFake: ['Date'] });
        await store.put('k', 1, { ttlSeconds: 1 });
        const item = await store.put('k', 2);
        expect(item.expiresAt).toBeUndefined();
        if (clock === 'fake') vi.setSystemTime(Date.now() + 5000);
        else await sleep(2100);
        expect(await store.get('k')).toEqual({ key: 'k', value: 2, version: 2 });
      });
    });

    describe('values', () => {
      it('rejects values over MAX_VALUE_BYTES of JSON with 413, counting UTF-8 bytes', async () => {
        // A JSON string is its characters plus two quotes.
        await expectApiError(store.put('big', 'x'.repeat(MAX_VALUE_BYTES - 1)), PayloadTooLargeError, 413);
        // Under the limit in characters, over it in bytes ('é' is two bytes).
        await expectApiError(store.put('big', 'é'.repeat(MAX_VALUE_BYTES / 2)), PayloadTooLargeError, 413);
        expect(await store.get('big')).toBeUndefined();
        const large = 'x'.repeat(100 * 1024);
        expect((await store.put('big', large)).version).toBe(1);
        expect((await store.get('big'))?.value).toBe(large);
      });

      it('rejects values JSON cannot carry', async () => {
        const cyclic: Record<string, unknown> = {};
        cyclic.self = cyclic;
        const invalid: unknown[] = [undefined, () => 1, Symbol('s'), 10n, { n: 10n }, cyclic];
        for (const value of invalid) await expectBadRequest(store.put('bad', value));
        expect(await store.get('bad')).toBeUndefined();
      });
    });

    describe('keys', () => {
      const awkward = [
        'a/b/c',
        '/leading/slash',
        '/',
        '//',
        'trailing/',
        '../../etc/passwd',
        '..',
        '.',
        'user#1#profile',
        'with space',
        'tab-free\u007f',
        'Zoë',
        '日本語',
        '😀',
        '\uFFFD',
        'ﬁ',
        'A',
        'a',
        'a'.repeat(MAX_KEY_BYTES),
        'é'.repeat(MAX_KEY_BYTES / 2),
      ];

      it('accepts awkward keys, each stored under its own name', async () => {
        for (const [i, key] of awkward.entries()) await store.put(key, i);
        for (const [i, key] of awkward.entries()) expect(await store.get(key)).toEqual({ key, value: i, version: 1 });
        expect(keySet(await listAll(store))).toEqual(sortedKeys(awkward));
        expect(keySet(await listAll(store, { limit: 3 }))).toEqual(sortedKeys(awkward));
        expect(keysOf(await listAll(store, { prefix: '/' }))).toEqual(['/', '//', '/leading/slash']);
        for (const key of awkward) expect(await store.delete(key)).toBe(true);
        expect(await listAll(store)).toEqual([]);
      });

      it('rejects invalid keys with 400 on every operation', async () => {
        const invalid: unknown[] = [
          '',
          '\uD800',
          'ok\uDBFFthen',
          '\uDC00',
          '\uDE00\uD83D',
          'nul\u0000',
          'line\nbreak',
          '\u001f',
          'a'.repeat(MAX_KEY_BYTES + 1),
          'é'.repeat(MAX_KEY_BYTES / 2) + 'a',
          42,
          null,
          undefined,
          ['a'],
        ];
        for (const key of invalid) {
          const asKey = key as string;
          const error = await expectBadRequest(store.put(asKey, 1));
          expect(error.message).toMatch(/^Invalid key/);
          await expectBadRequest(store.get(asKey));
          await expectBadRequest(store.delete(asKey));
        }
        expect(await listAll(store)).toEqual([]);
      });
    });

    describe('list', () => {
      const orderKeys = ['b', 'a', 'B', 'aa', 'a#', 'é', '\uFFFD', '😀', '0', 'z', '~'];

      it('lists a partition in UTF-8 byte order (as DynamoDB sorts), not UTF-16 order', async () => {
        const keys = orderKeys.map((key) => `p/${key}`);
        await Promise.all(keys.map((key) => store.put(key, key)));
        await store.put('q/a', 'other partition');
        await store.put('p', 'no slash');
        const { items, cursor } = await store.list({ prefix: 'p/' });
        expect(cursor).toBeUndefined();
        expect(keysOf(items)).toEqual(sortedKeys(keys));
        // U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
        expect(keysOf(items).indexOf('p/\uFFFD')).toBeLessThan(keysOf(items).indexOf('p/😀'));
        expect(items.map((item) => item.value)).toEqual(keysOf(items));
      });

      it('lists across partitions as a set: every live item once', async () => {
        await Promise.all(orderKeys.map((key) => store.put(key, key)));
        const { items, cursor } = await store.list();
        expect(cursor).toBeUndefined();
        expect(keySet(items)).toEqual(sortedKeys(orderKeys));
        for (const item of items) expect(item.value).toBe(item.key);
      });

      it('filters by prefix', async () => {
        const keys = ['user/1', 'user/10', 'user/2', 'user/', 'userx', 'use', 'order/1', 'user$', 'usez', 'user/1/x'];
        await Promise.all(keys.map((key) => store.put(key, key)));
        expect(keysOf((await store.list({ prefix: 'user/' })).items)).toEqual([
          'user/',
          'user/1',
          'user/1/x',
          'user/10',
          'user/2',
        ]);
        expect(keysOf((await store.list({ prefix: 'user/1' })).items)).toEqual(['user/1', 'user/1/x', 'user/10']);
        expect(keysOf((await store.list({ prefix: 'user/1/' })).items)).toEqual(['user/1/x']);
        expect(keySet((await store.list({ prefix: 'use' })).items)).toEqual(sortedKeys(keys.filter((k) => k.startsWith('use'))));
        expect(keySet((await store.list({ prefix: 'user' })).items)).toEqual(
          sortedKeys(keys.filter((k) => k.startsWith('user'))),
        );
        expect(await store.list({ prefix: 'nothing' })).toEqual({ items: [] });
        expect(await store.list({ prefix: 'nothing/' })).toEqual({ items: [] });
        expect(await store.list({ prefix: '\u{10FFFF}' })).toEqual({ items: [] });
        expect(keySet((await store.list({ prefix: '' })).items)).toEqual(sortedKeys(keys));
      });

      it('pages through a partition with cursors: in order, no gaps, no duplicates', async () => {
        const keys = Array.from({ length: 250 }, (_, i) => `item/${String(i).padStart(3, '0')}`);
        await Promise.all(keys.map((key, i) => store.put(key, i)));
        const others = ['aaa', 'zzz', 'item', 'itel', 'items/1', 'item#1'];
        await Promise.all(others.map((key) => store.put(key, 'other')));
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.list({ prefix: 'item/', limit: 7, cursor });
          expect(page.items.length).toBeLessThanOrEqual(7);
          seen.push(...keysOf(page.items));
          cursor = page.cursor;
          pages++;
          if (cursor !== undefined) expect(typeof cursor).toBe('string');
        } while (cursor !== undefined && pages < 100);
        expect(seen).toEqual(keys);
        expect(pages).toBeGreaterThanOrEqual(36);
        expect(pages).toBeLessThanOrEqual(37);
        const everything = await listAll(store, { limit: 1000 });
        expect(keySet(everything)).toEqual(sortedKeys([...keys, ...others]));
      });

      it('pages across partitions: every item exactly once, whatever the page size', async () => {
        const keys = [
          ...Array.from({ length: 30 }, (_, i) => `alice/${i}`),
          ...Array.from({ length: 30 }, (_, i) => `bob/${i}`),
          ...Array.from({ length: 30 }, (_, i) => `solo-${i}`),
        ];
        await Promise.all(keys.map((key) => store.put(key, key)));
        for (const limit of [1, 7, 45, 90, 1000]) {
          expect(keySet(await listAll(store, { limit })), `limit ${limit}`).toEqual(sortedKeys(keys));
        }
        expect(keySet(await listAll(store, { prefix: 'solo-', limit: 4 }))).toEqual(
          sortedKeys(keys.filter((key) => key.startsWith('solo-'))),
        );
      });

      it('defaults to 100 items a page and honours limits 1 and 1000', async () => {
        const keys = Array.from({ length: 150 }, (_, i) => `k/${String(i).padStart(3, '0')}`);
        await Promise.all(keys.map((key, i) => store.put(key, i)));
        const first = await store.list();
        expect(first.items).toHaveLength(100);
        expect(first.cursor).toEqual(expect.any(String));
        const second = await store.list({ cursor: first.cursor });
        expect(second.items).toHaveLength(50);
        expect(second.cursor).toBeUndefined();
        expect(keySet([...first.items, ...second.items])).toEqual(keys);
        const partitioned = await store.list({ prefix: 'k/' });
        expect(keysOf(partitioned.items)).toEqual(keys.slice(0, 100));
        const one = await store.list({ prefix: 'k/', limit: 1 });
        expect(keysOf(one.items)).toEqual(['k/000']);
        expect(one.cursor).toEqual(expect.any(String));
        expect(keysOf((await store.list({ prefix: 'k/', limit: 1, cursor: one.cursor })).items)).toEqual(['k/001']);
        expect((await store.list({ limit: 1 })).items).toHaveLength(1);
        expect((await store.list({ limit: 1000 })).items).toHaveLength(150);
        expect((await store.list({ prefix: 'k/', limit: 1000 })).items).toHaveLength(150);
      });

      it('ends with a page without a cursor when the items divide evenly into pages', async () => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`even#${String(i).padStart(2, '0')}`, i)));
        const items = await listAll(store, { limit: 10 });
        expect(items).toHaveLength(20);
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`even/${String(i).padStart(2, '0')}`, i)));
        const first = await store.list({ prefix: 'even/', limit: 10 });
        const second = await store.list({ prefix: 'even/', limit: 10, cursor: first.cursor });
        expect(second.items).toHaveLength(10);
        expect(second.cursor).toBeUndefined();
      });

      it('a cursor stays valid while items are added and removed between pages', async () => {
        await Promise.all(['c/b', 'c/d', 'c/f', 'c/h'].map((key) => store.put(key, key)));
        const first = await store.list({ prefix: 'c/', limit: 2 });
        expect(keysOf(first.items)).toEqual(['c/b', 'c/d']);
        await store.delete('c/d');
        await store.delete('c/f');
        await store.put('c/a', 'c/a');
        await store.put('c/e', 'c/e');
        const rest = await listAll(store, { prefix: 'c/', limit: 2 });
        expect(keysOf(rest)).toEqual(['c/a', 'c/b', 'c/e', 'c/h']);
        const next = await store.list({ prefix: 'c/', limit: 2, cursor: first.cursor });
        expect(keysOf(next.items)).toEqual(['c/e', 'c/h']);
      });

      it('a cursor resumes only the prefix it came from', async () => {
        await Promise.all(['alice/1', 'alice/2', 'alice/3', 'bob/1', 'bob/2'].map((key) => store.put(key, key)));
        const alice = await store.list({ prefix: 'alice/', limit: 1 });
        expect(alice.cursor).toEqual(expect.any(String));
        // Bob must not page into Alice's items (nor anyone into another prefix) with her cursor.
        for (const prefix of ['bob/', 'bob', 'b', 'alice/2', 'alicf']) {
          const error = await expectBadRequest(store.list({ prefix, cursor: alice.cursor }));
          expect(error.message).toBe('Invalid cursor');
        }
        // A narrower prefix that the cursor's key still starts with is fine, and so is a wider one.
        expect(keysOf((await store.list({ prefix: 'alice/1', cursor: alice.cursor })).items)).toEqual([]);
        expect(keySet(await listAll(store, { prefix: 'ali', limit: 1 }))).toEqual(['alice/1', 'alice/2', 'alice/3']);
        const anywhere = await store.list({ limit: 1 });
        const key = keysOf(anywhere.items)[0] ?? '';
        await expectBadRequest(store.list({ prefix: key.startsWith('a') ? 'b' : 'a', cursor: anywhere.cursor }));
      });

      it('rejects invalid list options, including forged cursors, with 400', async () => {
        await store.put('k', 1);
        await store.put('k2', 2);
        const { cursor } = await store.list({ limit: 1 });
        const invalid: unknown[] = [
          { limit: 0 },
          { limit: 1001 },
          { limit: 1.5 },
          { limit: '10' },
          { prefix: 5 },
          { prefix: 'bad\uD800' },
          { cursor: 5 },
          'options',
        ];
        for (const options of invalid) await expectBadRequest(store.list(options as never));
        for (const forged of ['', 'not a cursor!', 'abc', '%%%', '////', 'aGVsbG8', `${cursor ?? ''}=`, '_-_-']) {
          const error = await expectBadRequest(store.list({ cursor: forged }));
          expect(error.message).toBe('Invalid cursor');
        }
      });
    });

    describe('concurrency', () => {
      it('100 concurrent ifNotExists puts: exactly one wins, the rest conflict', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 100 }, (_, i) => store.put('race', i, { ifNotExists: true })),
        );
        const winners = results.filter((result) => result.status === 'fulfilled');
        const losers = results.filter((result) => result.status === 'rejected');
        expect(winners).toHaveLength(1);
        for (const loser of losers) expect(loser.reason).toBeInstanceOf(ConflictError);
        const winner = winners[0] as PromiseFulfilledResult<KVItem<unknown>>;
        expect(await store.get('race')).toEqual({ key: 'race', value: winner.value.value, version: 1 });
      });

      it('concurrent unconditional puts to one key each get their own version', async () => {
        const items = await Promise.all(Array.from({ length: 50 }, (_, i) => store.put('busy', i)));
        expect(items.map((item) => item.version).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        expect(await store.get('busy')).toMatchObject({ version: 50 });
      });

      it('concurrent increments with ifVersion retry loops lose no update', async () => {
        const workers = 10;
        const perWorker = 5;
        await Promise.all(
          Array.from({ length: workers }, async () => {
            for (let i = 0; i < perWorker; i++) await increment(store, 'counter');
          }),
        );
        expect(await store.get('counter')).toEqual({
          key: 'counter',
          value: workers * perWorker,
          version: workers * perWorker,
        });
      });

      it('operations on different keys run independently', async () => {
        const keys = Array.from({ length: 40 }, (_, i) => `parallel#${i}`);
        await Promise.all(keys.map((key) => store.put(key, key, { ifNotExists: true })));
        await Promise.all(keys.map((key) => store.put(key, `${key}!`, { ifVersion: 1 })));
        const items = await listAll(store, { prefix: 'parallel#' });
        expect(items).toHaveLength(40);
        for (const item of items) expect(item).toEqual({ key: item.key, value: `${item.key}!`, version: 2 });
      });
    });
  });
}
