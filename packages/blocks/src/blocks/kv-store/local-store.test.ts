import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DuplicateIdError } from '../../core/errors.js';
import { Scope } from '../../core/scope.js';
import { describeKVStoreContract } from './testing/contract.js';
import { KVStore } from './index.js';
import { LocalKVStore, SortedKeyList, type LocalStoreStats } from './local-store.js';
import { KEY_LOG_NAME } from './key-log.js';
import { closeLocalStore, localStoreStats } from './testing/local-store-state.js';
import type { StormAck } from './testing/write-storm.js';
import { runStormRound } from '../../testing/kill-storm.js';
import { compareKeys } from './validate.js';

const STORM_SCRIPT = fileURLToPath(new URL('./testing/write-storm.ts', import.meta.url));
const tempRoots: string[] = [];

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'blocks-kv-'));
  tempRoots.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of tempRoots) {
    closeLocalStore(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** A store whose shared state is as a new process would find it: index not yet built. */
function reopen<T = unknown>(dir: string): LocalKVStore<T> {
  closeLocalStore(dir);
  return new LocalKVStore<T>(dir);
}

function recordFile(dir: string, key: string): string {
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  return path.join(dir, hash.slice(0, 2), `${hash}.json`);
}

/** Every file under `dir`, relative to it. */
async function allFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

async function listAllKeys(store: LocalKVStore<unknown>): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 1000, cursor });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return keys;
}

function stats(dir: string): LocalStoreStats {
  const current = localStoreStats(dir);
  if (current === undefined) throw new Error(`no open store for ${dir}`);
  return { ...current };
}

describeKVStoreContract('LocalKVStore', async () => new LocalKVStore(await freshDir()));

describe('LocalKVStore on disk', () => {
  it('stores each key in its own file, dir/<2 hex>/<sha256>.json, holding { key, value, version, expiresAt? }', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await store.put('../a/b', { n: 1 });
    const withTtl = await store.put('ttl', 'x', { ttlSeconds: 60 });
    expect(JSON.parse(await readFile(recordFile(dir, '../a/b'), 'utf8'))).toEqual({
      key: '../a/b',
      value: { n: 1 },
      version: 1,
    });
    expect(JSON.parse(await readFile(recordFile(dir, 'ttl'), 'utf8'))).toEqual({
      key: 'ttl',
      value: 'x',
      version: 1,
      expiresAt: withTtl.expiresAt,
    });
    expect(await allFiles(dir)).toEqual(
      [recordFile(dir, '../a/b'), recordFile(dir, 'ttl'), path.join(dir, KEY_LOG_NAME)].map((file) => path.relative(dir, file)).sort(),
    );
    await store.delete('../a/b');
    expect(await allFiles(dir)).toEqual([path.relative(dir, recordFile(dir, 'ttl')), KEY_LOG_NAME].sort());
  });

  it('writing one key leaves every other file untouched', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => store.put(key, key)));
    const before = await Promise.all(['b', 'c', 'd'].map((key) => stat(recordFile(dir, key), { bigint: true })));
    await store.put('a', 'again');
    await store.delete('b');
    await store.put('e', 'new');
    const after = await Promise.all(['c', 'd'].map((key) => stat(recordFile(dir, key), { bigint: true })));
    for (const [i, file] of after.entries()) {
      expect(file.ino).toBe(before[i + 1]?.ino);
      expect(file.mtimeNs).toBe(before[i + 1]?.mtimeNs);
    }
  });

  it('get and put read one file each, and a list page reads only its own items, however many keys exist', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore<number>(dir);
    await Promise.all(Array.from({ length: 300 }, (_, i) => store.put(`key#${String(i).padStart(3, '0')}`, i)));
    const start = stats(dir);
    for (let i = 0; i < 20; i++) await store.get(`key#${String(i * 7).padStart(3, '0')}`);
    for (let i = 0; i < 20; i++) await store.put(`key#${String(i * 11).padStart(3, '0')}`, -i);
    expect(stats(dir).recordReads - start.recordReads).toBe(40);
    const beforeList = stats(dir);
    const page = await store.list({ prefix: 'key#2', limit: 10 });
    expect(page.items.map((item) => item.key)).toEqual(Array.from({ length: 10 }, (_, i) => `key#2${String(i).padStart(2, '0')}`));
    expect(stats(dir).recordReads - beforeList.recordReads).toBe(10);
    expect(stats(dir).indexBuilds).toBe(1);
  });

  it('rebuilds the index from disk in a fresh process-like registry', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await Promise.all(['é', 'b', '😀', '\uFFFD', 'a/b', 'A'].map((key, i) => store.put(key, i)));
    await store.put('b', 'updated');
    await store.delete('A');
    await store.put('ttl', 'kept', { ttlSeconds: 3600 });
    const before = await store.list();

    const reopened = reopen(dir);
    expect(localStoreStats(dir)).toEqual({ indexBuilds: 0, recordReads: 0 });
    expect(await reopened.list()).toEqual(before);
    expect(before.items.map((item) => item.key)).toEqual(['a/b', 'b', 'ttl', 'é', '\uFFFD', '😀']);
    expect(stats(dir).indexBuilds).toBe(1);
    // The rebuilt index is maintained as before.
    await reopened.put('c', 'new');
    await reopened.delete('b');
    expect(await listAllKeys(reopened)).toEqual(['a/b', 'c', 'ttl', 'é', '\uFFFD', '😀']);
  });

  it('opens from the key log without reading records, and from the records when the log is missing or stale', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.put(`k${String(i).padStart(2, '0')}`, i)));
    await store.put('k07', 'ttl', { ttlSeconds: 3600 });
    await store.put('k07', 'no ttl any more');
    await store.delete('k10');
    const before = await listAllKeys(store);

    const reopened = reopen(dir);
    expect((await reopened.list({ limit: 1 })).items).toHaveLength(1);
    expect(stats(dir).recordReads).toBe(1);
    expect(await listAllKeys(reopened)).toEqual(before);

    // A store written before the log existed (or a log lost entirely): every record is read once, and the log is rebuilt.
    await rm(path.join(dir, KEY_LOG_NAME));
    expect(await listAllKeys(reopen(dir))).toEqual(before);
    expect(stats(dir).recordReads).toBeGreaterThanOrEqual(49);
    expect(await listAllKeys(reopen(dir))).toEqual(before);

    // Lines lost in a crash after the records were written: a stale expiry and a new key the log never saw.
    const logText = await readFile(path.join(dir, KEY_LOG_NAME), 'utf8');
    await new LocalKVStore(dir).put('k99', 'new');
    const staleLog = logText.replace(/^\+([0-9a-f]{64}) - "k07"$/m, '+$1 1 "k07"');
    expect(staleLog).not.toBe(logText);
    await writeFile(path.join(dir, KEY_LOG_NAME), staleLog);
    const recovered = reopen(dir);
    expect(await listAllKeys(recovered)).toEqual([...before, 'k99']);
    expect((await recovered.get('k07'))?.value).toBe('no ttl any more');

    // A line cut short by a crash mid-append is dropped, and the log is rewritten before anything is appended to it.
    await writeFile(path.join(dir, KEY_LOG_NAME), `${await readFile(path.join(dir, KEY_LOG_NAME), 'utf8')}-${'0'.repeat(20)}`);
    const afterTear = reopen(dir);
    await afterTear.put('k98', 'after the tear');
    expect(await readFile(path.join(dir, KEY_LOG_NAME), 'utf8')).not.toContain(`-${'0'.repeat(20)}`);
    expect(await listAllKeys(reopen(dir))).toEqual([...before, 'k98', 'k99']);
  });

  it('builds the index once under concurrent first calls', async () => {
    const dir = await freshDir();
    await Promise.all(['a', 'b', 'c'].map((key) => new LocalKVStore(dir).put(key, key)));
    const store = reopen(dir);
    const pages = await Promise.all([store.list(), store.list({ prefix: 'b' }), store.put('d', 'd'), store.delete('a')]);
    expect(stats(dir).indexBuilds).toBe(1);
    expect(pages[0]).toBeDefined();
    expect(await listAllKeys(store)).toEqual(['b', 'c', 'd']);
  });

  it('deletes expired files lazily: on get, on list, and when the index is rebuilt', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await Promise.all(['get', 'list', 'rebuild'].map((key) => store.put(`ttl#${key}`, key, { ttlSeconds: 1 })));
    await store.put('keep', 'keep');
    vi.setSystemTime(Date.now() + 5000);

    expect(await store.get('ttl#get')).toBeUndefined();
    await expect(stat(recordFile(dir, 'ttl#get'))).rejects.toThrow(/ENOENT/);
    expect((await store.list({ prefix: 'ttl#l' })).items).toEqual([]);
    await expect(stat(recordFile(dir, 'ttl#list'))).rejects.toThrow(/ENOENT/);

    await stat(recordFile(dir, 'ttl#rebuild'));
    expect(await listAllKeys(reopen(dir))).toEqual(['keep']);
    await expect(stat(recordFile(dir, 'ttl#rebuild'))).rejects.toThrow(/ENOENT/);
  });

  it('ignores and deletes temp files left by a crash', async () => {
    const dir = await freshDir();
    await new LocalKVStore(dir).put('real', 1);
    const shard = path.dirname(recordFile(dir, 'real'));
    const stale = [
      path.join(shard, `.${path.basename(recordFile(dir, 'real'))}.a1b2c3d4e5f6.tmp`),
      path.join(shard, '.0000000000000000000000000000000000000000000000000000000000000000.json.ffffff.tmp'),
      path.join(dir, '.stray.tmp'),
    ];
    for (const file of stale) await writeFile(file, '{"key":"real","value":"torn');

    const store = reopen(dir);
    expect(await store.get('real')).toEqual({ key: 'real', value: 1, version: 1 });
    expect(await store.list()).toEqual({ items: [{ key: 'real', value: 1, version: 1 }] });
    for (const file of stale) await expect(stat(file)).rejects.toThrow(/ENOENT/);
    expect(await store.put('real', 2)).toMatchObject({ version: 2 });
  });

  it('skips unreadable record files in list, warning once per file', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => store.put(key, key)));
    // Not JSON; JSON of the wrong shape; a record stored under another key's file name.
    await writeFile(recordFile(dir, 'b'), '{"key":"b","val');
    await writeFile(recordFile(dir, 'c'), '[1,2,3]');
    const orphan = recordFile(dir, 'orphan');
    await mkdir(path.dirname(orphan), { recursive: true });
    await writeFile(orphan, JSON.stringify({ key: 'not-orphan', value: 1, version: 1 }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    // The running store serves what it wrote from memory: damage behind its back is seen on the next start.
    expect((await store.list()).items.map((item) => item.key)).toEqual(['a', 'b', 'c', 'd']);
    expect(warn).not.toHaveBeenCalled();

    // The key log still lists b and c; reading them finds the damage.
    const restarted = reopen(dir);
    expect((await restarted.list()).items.map((item) => item.key)).toEqual(['a', 'd']);
    expect((await restarted.list()).items.map((item) => item.key)).toEqual(['a', 'd']);
    expect(warn).toHaveBeenCalledTimes(3);

    const rebuilt = reopen(dir);
    expect((await rebuilt.list()).items.map((item) => item.key)).toEqual(['a', 'd']);
    expect((await rebuilt.list()).items.map((item) => item.key)).toEqual(['a', 'd']);
    expect(await rebuilt.get('b')).toBeUndefined();
    expect(warn).toHaveBeenCalledTimes(6);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/skipping unreadable record/);

    // A put replaces the damaged file with a fresh item.
    expect(await rebuilt.put('b', 'fixed', { ifNotExists: true })).toEqual({ key: 'b', value: 'fixed', version: 1 });
    expect((await rebuilt.list()).items.map((item) => item.key)).toEqual(['a', 'b', 'd']);
  });
});

describe('LocalKVStore instances sharing a directory (dev server hot reload)', () => {
  it('a second instance sees the first one\u2019s writes, index and locks', async () => {
    const dir = await freshDir();
    const first = new LocalKVStore(dir);
    const second = new LocalKVStore(`${dir}${path.sep}.${path.sep}`);
    await first.list();
    await first.put('shared', 'from first');
    expect(await second.get('shared')).toMatchObject({ value: 'from first', version: 1 });
    expect((await second.list()).items.map((item) => item.key)).toEqual(['shared']);
    await second.delete('shared');
    expect(await first.list()).toEqual({ items: [] });
    expect(stats(dir).indexBuilds).toBe(1);

    // Interleaved unconditional puts through both instances are serialised by one lock table.
    const items = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? first : second).put('counter', i)),
    );
    expect(items.map((item) => item.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const winners = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? first : second).put('once', i, { ifNotExists: true })),
    );
    expect(winners.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });

  it('keeps the registry on globalThis under Symbol.for("blocks-kit.localStores"), keyed by resolved dir', async () => {
    const dir = await freshDir();
    new LocalKVStore(path.relative(process.cwd(), dir));
    const registry: unknown = Reflect.get(globalThis, Symbol.for('blocks-kit.localStores'));
    expect(registry).toBeInstanceOf(Map);
    expect((registry as Map<string, unknown>).has(path.resolve(dir))).toBe(true);
    closeLocalStore(dir);
    expect((registry as Map<string, unknown>).has(path.resolve(dir))).toBe(false);
  });
});

describe('LocalKVStore durability under kill -9', () => {
  /** Every acknowledged write is on disk, every file parses, and a fresh index agrees with get. */
  async function verify(dir: string, acks: readonly StormAck[]): Promise<void> {
    const minVersion = new Map<string, number>();
    const deleted = new Set<string>();
    for (const ack of acks) {
      if (ack.op === 'del') deleted.add(ack.key);
      else if (!ack.key.startsWith('r')) minVersion.set(ack.key, Math.max(ack.version, minVersion.get(ack.key) ?? 0));
    }
    expect(minVersion.size).toBeGreaterThan(0);

    for (const file of await allFiles(dir)) {
      // The key log is a hint whose torn last line is skipped by design (key-log.ts); records must never tear.
      if (path.basename(file).endsWith('.tmp') || file === KEY_LOG_NAME) continue;
      const text = await readFile(path.join(dir, file), 'utf8');
      let record: { key: unknown; version: unknown };
      try {
        record = JSON.parse(text) as typeof record;
      } catch {
        throw new Error(`torn record file ${file} after SIGKILL: ${JSON.stringify(text.slice(0, 80))}`);
      }
      expect(typeof record.key).toBe('string');
      expect(recordFile(dir, record.key as string)).toBe(path.join(dir, file));
      expect(record.version).toEqual(expect.any(Number));
    }

    const store = reopen(dir);
    const listed = new Set(await listAllKeys(store));
    for (const [key, version] of minVersion) {
      const item = await store.get(key);
      expect(item?.version, key).toBeGreaterThanOrEqual(version);
      expect(listed.has(key), key).toBe(true);
    }
    for (const key of deleted) {
      expect(await store.get(key), key).toBeUndefined();
      expect(listed.has(key), key).toBe(false);
    }
    // Building the index swept the temp files the kill left behind.
    expect((await allFiles(dir)).filter((file) => file.endsWith('.tmp'))).toEqual([]);
  }

  it('every acknowledged put and delete survives SIGKILL at a random point, over several rounds', async () => {
    const dir = await freshDir();
    const allAcks: StormAck[] = [];
    for (let round = 0; round < 5; round++) {
      const { acks } = await runStormRound<StormAck>(STORM_SCRIPT, [dir, String(round)], 25 + Math.floor(Math.random() * 150));
      expect(acks.length).toBeGreaterThanOrEqual(25);
      allAcks.push(...acks);
      closeLocalStore(dir);
      await verify(dir, allAcks);
    }
    expect(allAcks.some((ack) => ack.op === 'del')).toBe(true);
  });
});

describe('KVStore', () => {
  const originalDataDir = process.env.BLOCKS_DATA_DIR;
  afterEach(() => {
    if (originalDataDir === undefined) delete process.env.BLOCKS_DATA_DIR;
    else process.env.BLOCKS_DATA_DIR = originalDataDir;
  });

  it('registers in its scope and stores under <data dir>/kv/<scope>/<id>, resolved at first use', async () => {
    const scope = new Scope('shop');
    const carts = new KVStore<{ items: string[] }>(scope, 'carts');
    const orders = new KVStore(scope, 'orders');
    expect(carts.kind).toBe('KVStore');
    expect(scope.resources.get('carts')).toBe(carts);
    expect(() => new KVStore(scope, 'carts')).toThrow(DuplicateIdError);

    const dataDir = await freshDir();
    process.env.BLOCKS_DATA_DIR = dataDir;
    await carts.put('user#1', { items: ['apple'] });
    expect(await carts.get('user#1')).toEqual({ key: 'user#1', value: { items: ['apple'] }, version: 1 });
    expect(await orders.get('user#1')).toBeUndefined();
    expect((await carts.list({ prefix: 'user#' })).items).toHaveLength(1);
    expect(await carts.delete('user#1')).toBe(true);
    await carts.put('user#2', { items: [] });
    const file = recordFile(path.join(dataDir, 'kv', 'shop', 'carts'), 'user#2');
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ key: 'user#2', version: 1 });
    closeLocalStore(path.join(dataDir, 'kv', 'shop', 'carts'));
    closeLocalStore(path.join(dataDir, 'kv', 'shop', 'orders'));
  });
});

describe('SortedKeyList', () => {
  const keyArbitrary = fc.oneof(
    fc.string({ maxLength: 4 }),
    fc.constantFrom('a', 'ab', 'b', 'é', '\uFFFD', '😀', 'a😀', 'a\uFFFD'),
  );
  const operation = fc.oneof(
    fc.record({ op: fc.constant('add' as const), key: keyArbitrary }),
    fc.record({ op: fc.constant('delete' as const), key: keyArbitrary }),
    fc.record({
      op: fc.constant('range' as const),
      key: keyArbitrary,
      exclusive: fc.boolean(),
      prefix: fc.constantFrom('', 'a', 'b', '😀'),
      max: fc.integer({ min: 1, max: 8 }),
    }),
  );

  it('matches a sorted-array model through adds, deletes, chunk splits and ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 4 }), fc.array(operation, { maxLength: 120 }), (chunkSize, operations) => {
        const list = new SortedKeyList(chunkSize);
        let model: string[] = [];
        for (const step of operations) {
          if (step.op === 'add') {
            expect(list.add(step.key)).toBe(!model.includes(step.key));
            if (!model.includes(step.key)) model = [...model, step.key].sort(compareKeys);
          } else if (step.op === 'delete') {
            expect(list.delete(step.key)).toBe(model.includes(step.key));
            model = model.filter((key) => key !== step.key);
          } else {
            const expected = model
              .filter((key) => (step.exclusive ? compareKeys(key, step.key) > 0 : compareKeys(key, step.key) >= 0))
              .filter((key, i, keys) => keys.slice(0, i + 1).every((k) => k.startsWith(step.prefix)))
              .slice(0, step.max);
            expect(list.range(step.key, step.exclusive, step.prefix, step.max)).toEqual(expected);
          }
          expect(list.size).toBe(model.length);
        }
        expect(list.range('', false, '', 10_000)).toEqual(model);
        for (const key of model) expect(list.has(key)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
