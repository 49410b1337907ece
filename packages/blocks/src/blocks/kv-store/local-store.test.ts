import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { DuplicateIdError } from '../../core/errors.js';
import { Scope } from '../../core/scope.js';
import { describeKVStoreContract } from './testing/contract.js';
import { KVStore } from './index.js';
import { ConflictError } from '../../core/errors.js';
import { DATA_FILE_NAME, LocalKVStore, type LocalStoreStats } from './local-store.js';
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
    await closeLocalStore(dir);
    await rm(dir, { recursive: true, force: true });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** A store as a new process would find it: the database closed and opened again. */
async function reopen<T = unknown>(dir: string): Promise<LocalKVStore<T>> {
  await closeLocalStore(dir);
  return new LocalKVStore<T>(dir);
}

/** Where the one-file-per-key layout of older kits kept a key's record. */
function legacyFile(dir: string, key: string): string {
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
  it('keeps everything in one LMDB file, dir/data.mdb (plus its lock file), across a restart', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await Promise.all(['é', 'b', '😀', '\uFFFD', 'a/b', 'A', '../x'].map((key, i) => store.put(key, { i })));
    await store.put('b', 'updated');
    await store.delete('A');
    const withTtl = await store.put('ttl', 'kept', { ttlSeconds: 3600 });
    const before = await store.list();
    expect(await allFiles(dir)).toEqual([DATA_FILE_NAME, `${DATA_FILE_NAME}-lock`]);

    const reopened = await reopen(dir);
    expect(await reopened.list()).toEqual(before);
    expect(before.items.map((item) => item.key)).toEqual(['../x', 'a/b', 'b', 'ttl', 'é', '\uFFFD', '😀']);
    expect(await reopened.get('b')).toEqual({ key: 'b', value: 'updated', version: 2 });
    expect(await reopened.get('ttl')).toEqual({ key: 'ttl', value: 'kept', version: 1, expiresAt: withTtl.expiresAt });
    await reopened.put('c', 'new');
    await reopened.delete('b');
    expect(await listAllKeys(reopened)).toEqual(['../x', 'a/b', 'c', 'ttl', 'é', '\uFFFD', '😀']);
  });

  it('get and put decode one record each, and a list page decodes only its own items plus one, however many keys exist', async () => {
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
    expect(page.cursor).toBeDefined();
    // The eleventh is read only to know that more follow.
    expect(stats(dir).recordReads - beforeList.recordReads).toBe(11);
    expect(stats(dir).opens).toBe(1);
  });

  it('opens once under concurrent first calls', async () => {
    const dir = await freshDir();
    await Promise.all(['a', 'b', 'c'].map((key) => new LocalKVStore(dir).put(key, key)));
    const store = await reopen(dir);
    const pages = await Promise.all([store.list(), store.list({ prefix: 'b' }), store.put('d', 'd'), store.delete('a')]);
    expect(stats(dir).opens).toBe(1);
    expect(pages[1]).toEqual({ items: [{ key: 'b', value: 'b', version: 1 }] });
    expect(await listAllKeys(store)).toEqual(['b', 'c', 'd']);
  });

  it('deletes expired records lazily, on get and on list', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await Promise.all(['get', 'list', 'untouched'].map((key) => store.put(`ttl#${key}`, key, { ttlSeconds: 1 })));
    await store.put('keep', 'keep');
    const written = Date.now();
    vi.setSystemTime(written + 5000);
    expect(await store.get('ttl#get')).toBeUndefined();
    expect((await store.list({ prefix: 'ttl#l' })).items).toEqual([]);

    // Back before the expiry: what was purged is gone for good, what was not read is still there.
    vi.setSystemTime(written);
    const restarted = await reopen(dir);
    expect(await restarted.get('ttl#get')).toBeUndefined();
    expect(await restarted.get('ttl#list')).toBeUndefined();
    expect(await restarted.get('ttl#untouched')).toMatchObject({ value: 'untouched' });
  });

  it('a conditional write that fails changes nothing', async () => {
    const dir = await freshDir();
    const store = new LocalKVStore(dir);
    await store.put('k', 'v1');
    await expect(store.put('k', 'v2', { ifVersion: 7 })).rejects.toBeInstanceOf(ConflictError);
    await expect(store.put('k', 'v2', { ifNotExists: true })).rejects.toBeInstanceOf(ConflictError);
    await expect(store.delete('k', { ifVersion: 2 })).rejects.toBeInstanceOf(ConflictError);
    expect(await (await reopen(dir)).get('k')).toEqual({ key: 'k', value: 'v1', version: 1 });
  });
});

describe('LocalKVStore migration from the one-file-per-key layout', () => {
  /** Writes `record` where the older kit kept it: dir/<2 hex of sha256(key)>/<sha256(key)>.json. */
  async function writeLegacy(dir: string, record: { key: string; value: unknown; version: number; expiresAt?: number }): Promise<void> {
    const file = legacyFile(dir, record.key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(record)}\n`);
  }

  it('imports every readable record with its version and expiry on first open, then deletes the old files', async () => {
    const dir = await freshDir();
    const later = Math.ceil(Date.now() / 1000) + 3600;
    await writeLegacy(dir, { key: 'user-1/a', value: { text: 'first' }, version: 3 });
    await writeLegacy(dir, { key: 'user-1/b', value: 'ttl', version: 1, expiresAt: later });
    await writeLegacy(dir, { key: 'user-1/gone', value: 'expired', version: 1, expiresAt: 1 });
    await writeLegacy(dir, { key: '😀', value: [1, 2], version: 2 });
    // Damaged behind the old store's back: not JSON, and a record under another key's file name.
    await mkdir(path.dirname(legacyFile(dir, 'torn')), { recursive: true });
    await writeFile(legacyFile(dir, 'torn'), '{"key":"torn","val');
    await mkdir(path.dirname(legacyFile(dir, 'orphan')), { recursive: true });
    await writeFile(legacyFile(dir, 'orphan'), JSON.stringify({ key: 'not-orphan', value: 1, version: 1 }));
    await writeFile(path.join(dir, 'keys.log'), '+0000 - "user-1/a"\n');
    await writeFile(path.join(dir, '.stray.tmp'), 'left by a crash');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);

    const store = new LocalKVStore(dir);
    expect(await listAllKeys(store)).toEqual(['user-1/a', 'user-1/b', '😀']);
    expect(stats(dir).migrations).toBe(1);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(await store.get('user-1/a')).toEqual({ key: 'user-1/a', value: { text: 'first' }, version: 3 });
    expect(await store.get('user-1/b')).toEqual({ key: 'user-1/b', value: 'ttl', version: 1, expiresAt: later });
    expect(await store.put('user-1/a', { text: 'next' }, { ifVersion: 3 })).toMatchObject({ version: 4 });

    // The old files go in the background; closing waits for that.
    const reopened = await reopen(dir);
    expect(await allFiles(dir)).toEqual([DATA_FILE_NAME, `${DATA_FILE_NAME}-lock`]);
    expect(await reopened.get('user-1/a')).toMatchObject({ value: { text: 'next' }, version: 4 });
    expect(stats(dir).migrations).toBe(0);
  });

  it('never imports twice: files left by a crash after the import are deleted, not read', async () => {
    const dir = await freshDir();
    await writeLegacy(dir, { key: 'k', value: 'old', version: 1 });
    const store = new LocalKVStore(dir);
    await store.put('k', 'new', { ifVersion: 1 });
    // The import's own clean-up runs in the background: let it finish, or it races the files written next.
    await closeLocalStore(dir);
    // As if the process died after committing the import but before deleting the files.
    await writeLegacy(dir, { key: 'k', value: 'old', version: 1 });
    await writeLegacy(dir, { key: 'other', value: 'old', version: 1 });
    const reopened = await reopen(dir);
    expect(await reopened.get('k')).toEqual({ key: 'k', value: 'new', version: 2 });
    expect(await reopened.get('other')).toBeUndefined();
    expect(stats(dir).migrations).toBe(0);
    await closeLocalStore(dir);
    expect(await allFiles(dir)).toEqual([DATA_FILE_NAME, `${DATA_FILE_NAME}-lock`]);
  });
});

describe('LocalKVStore instances sharing a directory (dev server hot reload)', () => {
  it('a second instance sees the first one\u2019s writes and shares its database', async () => {
    const dir = await freshDir();
    const first = new LocalKVStore(dir);
    const second = new LocalKVStore(`${dir}${path.sep}.${path.sep}`);
    await first.list();
    await first.put('shared', 'from first');
    expect(await second.get('shared')).toMatchObject({ value: 'from first', version: 1 });
    expect((await second.list()).items.map((item) => item.key)).toEqual(['shared']);
    await second.delete('shared');
    expect(await first.list()).toEqual({ items: [] });
    expect(stats(dir).opens).toBe(1);

    // Interleaved unconditional puts through both instances are serialised by LMDB's write transactions.
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
    await closeLocalStore(dir);
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

    // Every record decodes: a torn one would be warned about and skipped.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = await reopen(dir);
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
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
    expect(await allFiles(dir)).toEqual([DATA_FILE_NAME, `${DATA_FILE_NAME}-lock`]);
  }

  it('every acknowledged put and delete survives SIGKILL at a random point, over several rounds', async () => {
    const dir = await freshDir();
    const allAcks: StormAck[] = [];
    for (let round = 0; round < 5; round++) {
      const { acks } = await runStormRound<StormAck>(STORM_SCRIPT, [dir, String(round)], 25 + Math.floor(Math.random() * 150));
      expect(acks.length).toBeGreaterThanOrEqual(25);
      allAcks.push(...acks);
      await closeLocalStore(dir);
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
    await stat(path.join(dataDir, 'kv', 'shop', 'carts', DATA_FILE_NAME));
    expect((await new LocalKVStore(path.join(dataDir, 'kv', 'shop', 'carts')).get('user#2'))?.version).toBe(1);
    await closeLocalStore(path.join(dataDir, 'kv', 'shop', 'carts'));
    await closeLocalStore(path.join(dataDir, 'kv', 'shop', 'orders'));
  });
});

describe('LocalKVStore listing, property-based', () => {
  const keyArbitrary = fc.oneof(
    fc.string({ minLength: 1, maxLength: 4 }),
    fc.constantFrom('a', 'ab', 'b', 'é', '\uFFFD', '😀', 'a😀', 'a\uFFFD', 'a/b', 'a/c'),
  );
  const operation = fc.oneof(
    fc.record({ op: fc.constant('put' as const), key: keyArbitrary }),
    fc.record({ op: fc.constant('delete' as const), key: keyArbitrary }),
  );

  it('pages of any size under any prefix match a sorted model, in UTF-8 byte order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(operation, { maxLength: 30 }),
        fc.constantFrom('', 'a', 'a/', 'b', '😀'),
        fc.integer({ min: 1, max: 4 }),
        async (operations, prefix, limit) => {
          const store = new LocalKVStore<number>(await freshDir());
          let model: string[] = [];
          for (const [i, step] of operations.entries()) {
            if (step.op === 'put') {
              await store.put(step.key, i);
              if (!model.includes(step.key)) model = [...model, step.key].sort(compareKeys);
            } else {
              expect(await store.delete(step.key)).toBe(model.includes(step.key));
              model = model.filter((key) => key !== step.key);
            }
          }
          const listed: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.list({ prefix, limit, cursor });
            expect(page.items.length).toBeLessThanOrEqual(limit);
            listed.push(...page.items.map((item) => item.key));
            cursor = page.cursor;
          } while (cursor !== undefined);
          expect(listed).toEqual(model.filter((key) => key.startsWith(prefix)));
          await closeLocalStore(store.dir);
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);
});
