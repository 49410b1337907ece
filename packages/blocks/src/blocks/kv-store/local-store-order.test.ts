// The local store keeps one sorted index, so unlike DynamoDB (where only a
// partition is ordered) it lists every prefix in UTF-8 byte order. The dev
// server relies on nothing more than the contract; these pin what it gives.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalKVStore } from './local-store.js';
import { closeLocalStore } from './testing/local-store-state.js';
import { compareKeys } from './validate.js';

const dirs: string[] = [];

async function freshStore(): Promise<LocalKVStore<unknown>> {
  const dir = await mkdtemp(path.join(tmpdir(), 'blocks-kv-order-'));
  dirs.push(dir);
  return new LocalKVStore(dir);
}

afterAll(async () => {
  for (const dir of dirs) {
    await closeLocalStore(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

const sortedKeys = (keys: readonly string[]): string[] => [...keys].sort(compareKeys);

describe('compareKeys', () => {
  it('orders exactly as the UTF-8 bytes do (DynamoDB\u2019s sort-key order)', () => {
    const sign = (n: number): number => Math.sign(n);
    const text = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'b', '/', '\uFFFD', '\uE000', '😀', '𝄞'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sign(compareKeys(a, b))).toBe(sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('LocalKVStore global order', () => {
  it('lists everything in UTF-8 byte order, across partitions', async () => {
    const store = await freshStore();
    const keys = ['b', 'a', 'B', 'aa', 'a#', 'é', '\uFFFD', '😀', '0', 'z', '~', 'a/1', 'b/2'];
    await Promise.all(keys.map((key) => store.put(key, key)));
    const { items, cursor } = await store.list();
    expect(cursor).toBeUndefined();
    expect(items.map((item) => item.key)).toEqual(sortedKeys(keys));
  });

  it('orders prefixes without "/" too, page after page', async () => {
    const store = await freshStore();
    const keys = ['user#1', 'user#10', 'user#2', 'user#', 'userx', 'use', 'order#1', 'user$', 'usez'];
    await Promise.all(keys.map((key) => store.put(key, key)));
    expect((await store.list({ prefix: 'user#' })).items.map((item) => item.key)).toEqual([
      'user#',
      'user#1',
      'user#10',
      'user#2',
    ]);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ prefix: 'use', limit: 2, cursor });
      seen.push(...page.items.map((item) => item.key));
      cursor = page.cursor;
    } while (cursor !== undefined);
    expect(seen).toEqual(sortedKeys(keys.filter((key) => key.startsWith('use'))));
  });

  it('a cursor over all keys stays valid while items are added and removed between pages', async () => {
    const store = await freshStore();
    await Promise.all(['b', 'd', 'f', 'h'].map((key) => store.put(key, key)));
    const first = await store.list({ limit: 2 });
    expect(first.items.map((item) => item.key)).toEqual(['b', 'd']);
    await store.delete('d');
    await store.delete('f');
    await store.put('a', 'a');
    await store.put('e', 'e');
    const next = await store.list({ limit: 2, cursor: first.cursor });
    expect(next.items.map((item) => item.key)).toEqual(['e', 'h']);
  });
});
