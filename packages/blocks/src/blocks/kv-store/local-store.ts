/**
 * The local (dev server and tests) KVStore: one JSON file per key.
 *
 * Layout: `<dir>/<first 2 hex of sha256(key)>/<sha256(key) hex>.json`, each
 * file holding `{ key, value, version, expiresAt? }`. Hashing makes any key
 * (with '/', '..', unicode) a safe file name and keeps directories small, so
 * get and put touch one file whatever the number of keys.
 *
 * Writes go through `writeFileAtomic` / `removeFileDurably`, so an
 * acknowledged write survives `kill -9` and a crash never leaves a torn file.
 *
 * `list` needs key order, which hashed file names do not give, so each store
 * directory has an in-memory sorted key index, built once on first use from
 * the key log (`<dir>/keys.log`, key-log.ts) checked against a listing of
 * the shard folders, and then kept up to date by put and delete. Record
 * files are read synchronously: one small file costs ~25 µs that way and
 * several times more through fs/promises' open/stat/read/close round trips.
 * The index, the per-key locks, the record cache (record-cache.ts) and the
 * stats live in a registry on `globalThis`, shared by every
 * `LocalKVStore` for the same directory in this process (the dev server
 * re-imports the app module on every change).
 *
 * One process owns a directory: another process writing to it is not seen by
 * this process's index, and its in-flight temp files would be swept as stale.
 * That is also why records read or written are kept in memory (their file
 * text, bounded by RECORD_CACHE_CHARS) and served from there: a list page
 * then parses 20 strings instead of reading 20 files. Damage done to a
 * record file behind the store's back is seen on the next start.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ConflictError } from '../../core/errors.js';
import { isAtomicTempFile, removeFileDurably, writeFileAtomic } from '../../local/atomic-file.js';
import { readDirIfExistsSync, readTextIfExistsSync } from '../../local/if-exists.js';
import { KeyedLock } from '../../local/keyed-lock.js';
import { appendKeyLog, readKeyLog, rewriteKeyLog, type LoggedKey } from './key-log.js';
import { RecordCache } from './record-cache.js';
import type { DeleteOptions, KVItem, KVStoreApi, ListOptions, ListResult, PutOptions } from './types.js';
import {
  assertValidKey,
  compareKeys,
  encodeCursor,
  normaliseDeleteOptions,
  normaliseListOptions,
  normalisePutOptions,
  serializeValue,
} from './validate.js';

/**
 * Keys in ascending `compareKeys` order, stored as a list of sorted chunks so
 * an insert or delete moves at most one chunk's worth of entries (plus, on a
 * split, the chunk table) instead of the whole key set.
 */
export class SortedKeyList {
  readonly #chunkSize: number;
  #chunks: string[][] = [];
  #size = 0;

  /** `chunkSize` is only lowered by tests, to exercise splits with few keys. */
  constructor(chunkSize = 512) {
    this.#chunkSize = Math.max(2, chunkSize);
  }

  get size(): number {
    return this.#size;
  }

  /** A list of `keys`, which must already be in ascending order without duplicates. */
  static fromSorted(keys: readonly string[], chunkSize?: number): SortedKeyList {
    const list = new SortedKeyList(chunkSize);
    for (let i = 0; i < keys.length; i += list.#chunkSize) list.#chunks.push(keys.slice(i, i + list.#chunkSize));
    list.#size = keys.length;
    return list;
  }

  has(key: string): boolean {
    const found = this.#find(key, false);
    return found !== undefined && found.chunk[found.offset] === key;
  }

  /** Returns whether the key was new. */
  add(key: string): boolean {
    const last = this.#chunks.at(-1);
    if (last === undefined) {
      this.#chunks.push([key]);
      this.#size = 1;
      return true;
    }
    const found = this.#find(key, false) ?? { chunkIndex: this.#chunks.length - 1, chunk: last, offset: last.length };
    if (found.chunk[found.offset] === key) return false;
    found.chunk.splice(found.offset, 0, key);
    this.#size++;
    if (found.chunk.length >= this.#chunkSize * 2) {
      const upper = found.chunk.splice(this.#chunkSize);
      this.#chunks.splice(found.chunkIndex + 1, 0, upper);
    }
    return true;
  }

  /** Returns whether the key was present. */
  delete(key: string): boolean {
    const found = this.#find(key, false);
    if (found === undefined || found.chunk[found.offset] !== key) return false;
    found.chunk.splice(found.offset, 1);
    this.#size--;
    if (found.chunk.length === 0) this.#chunks.splice(found.chunkIndex, 1);
    return true;
  }

  /**
   * Up to `max` keys starting with `prefix`, from `start` on (after it when
   * `exclusive`). Returns a copy: callers await between calls and the list
   * may change meanwhile, so no live iterator is handed out.
   */
  range(start: string, exclusive: boolean, prefix: string, max: number): string[] {
    const keys: string[] = [];
    const found = this.#find(start, exclusive);
    if (found === undefined) return keys;
    let offset = found.offset;
    for (let chunkIndex = found.chunkIndex; chunkIndex < this.#chunks.length; chunkIndex++) {
      const chunk = this.#chunks[chunkIndex] as string[];
      for (; offset < chunk.length; offset++) {
        const key = chunk[offset] as string;
        // Keys sharing a prefix are contiguous in byte order, so the first miss ends the range.
        if (keys.length === max || !key.startsWith(prefix)) return keys;
        keys.push(key);
      }
      offset = 0;
    }
    return keys;
  }

  /**
   * The position of the first key ≥ `key` (> `key` when `exclusive`), or
   * undefined when every key is smaller. Binary search over chunks, then
   * within the chunk: O(log n) comparisons.
   */
  #find(key: string, exclusive: boolean): { chunkIndex: number; chunk: string[]; offset: number } | undefined {
    const after = (candidate: string): boolean => {
      const order = compareKeys(candidate, key);
      return exclusive ? order > 0 : order >= 0;
    };
    const chunkIndex = lowerBound(this.#chunks.length, (i) => after((this.#chunks[i] as string[]).at(-1) as string));
    const chunk = this.#chunks[chunkIndex];
    if (chunk === undefined) return undefined;
    return { chunkIndex, chunk, offset: lowerBound(chunk.length, (i) => after(chunk[i] as string)) };
  }
}

/** The first index in [0, length) where the monotone predicate holds, or `length`. */
function lowerBound(length: number, holds: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Counters for tests that check the cost claims (files read per call, index builds). */
export interface LocalStoreStats {
  indexBuilds: number;
  recordReads: number;
}

interface KeyIndex {
  readonly keys: SortedKeyList;
  /** expiresAt of the keys written with a TTL, so list skips expired keys without reading them. */
  readonly expiries: Map<string, number>;
}

/** Everything shared by the `LocalKVStore` instances of one directory. */
interface DirState {
  readonly dir: string;
  index?: KeyIndex;
  indexReady?: Promise<KeyIndex>;
  readonly locks: KeyedLock;
  /** Files already reported as unreadable, so each is warned about once. */
  readonly warned: Set<string>;
  readonly stats: LocalStoreStats;
  /** File text of records read or written, by key (see the module comment). */
  readonly records: RecordCache;
}

/** Record text kept in memory per directory: ~64 MB of UTF-16, some 300k notes of the sample app. */
const RECORD_CACHE_CHARS = 32 * 1024 * 1024;

// On globalThis under a registered symbol: the dev server loads this module twice (Node and Vite),
// and both copies must share one index per directory. testing/local-store-state.ts reads it too.
const REGISTRY_KEY: unique symbol = Symbol.for('blocks-kit.localStores');
type GlobalWithRegistry = typeof globalThis & { [REGISTRY_KEY]?: Map<string, DirState> };

function registry(): Map<string, DirState> {
  const global = globalThis as GlobalWithRegistry;
  return (global[REGISTRY_KEY] ??= new Map());
}

function dirState(dir: string): DirState {
  const states = registry();
  let state = states.get(dir);
  if (state === undefined) {
    state = {
      dir,
      locks: new KeyedLock(),
      warned: new Set(),
      stats: { indexBuilds: 0, recordReads: 0 },
      records: new RecordCache(RECORD_CACHE_CHARS),
    };
    states.set(dir, state);
  }
  return state;
}

interface StoredRecord {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly expiresAt?: number;
}

type ReadResult =
  | { readonly kind: 'ok'; readonly record: StoredRecord }
  | { readonly kind: 'missing' }
  | { readonly kind: 'corrupt'; readonly reason: string };

const SHARD_NAME = /^[0-9a-f]{2}$/;
const RECORD_NAME_LENGTH = 64 + '.json'.length;
/** The log is rewritten on open once it holds this many times more lines than live keys (plus some slack). */
const LOG_COMPACT_FACTOR = 2;
const LOG_COMPACT_SLACK = 1000;

/** Surrogates: halves of characters above U+FFFF, where UTF-16 order and UTF-8 order part. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Keys in `compareKeys` order. Without characters above U+FFFF that is
 * JavaScript's own string order, and the built-in sort without a callback
 * is several times faster on the 100k keys of a large store's open.
 */
function sortKeys(keys: string[]): string[] {
  return keys.some((key) => SURROGATE.test(key)) ? keys.sort(compareKeys) : keys.sort();
}

function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function nowSeconds(): number {
  return Date.now() / 1000;
}

function isExpired(expiresAt: number | undefined, now: number): boolean {
  return expiresAt !== undefined && expiresAt <= now;
}

function parseRecord(text: string): StoredRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 'not a JSON object';
  const record = parsed as Record<string, unknown>;
  if (typeof record.key !== 'string') return 'no string "key"';
  if (!('value' in record)) return 'no "value"';
  if (typeof record.version !== 'number' || !Number.isSafeInteger(record.version) || record.version < 1) {
    return 'no positive integer "version"';
  }
  if (record.expiresAt !== undefined && typeof record.expiresAt !== 'number') return '"expiresAt" is not a number';
  return parsed as StoredRecord;
}

/** Builds the file text around the already-serialised value, so it is stringified only once. */
function encodeRecord(key: string, valueJson: string, version: number, expiresAt: number | undefined): string {
  const expiry = expiresAt === undefined ? '' : `,"expiresAt":${expiresAt}`;
  return `{"key":${JSON.stringify(key)},"value":${valueJson},"version":${version}${expiry}}\n`;
}

function toItem<T>(record: StoredRecord): KVItem<T> {
  const { key, value, version, expiresAt } = record;
  return expiresAt === undefined ? { key, value: value as T, version } : { key, value: value as T, version, expiresAt };
}

/** A `KVStoreApi` over one directory of JSON files; see the module comment for the design. */
export class LocalKVStore<T> implements KVStoreApi<T> {
  readonly dir: string;
  readonly #state: DirState;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    this.#state = dirState(this.dir);
  }

  async get(key: string): Promise<KVItem<T> | undefined> {
    assertValidKey(key);
    // No index needed: the file name comes from the key alone.
    const record = await this.#readUsable(key);
    if (record === undefined) return undefined;
    if (isExpired(record.expiresAt, nowSeconds())) {
      await this.#purgeIfExpired(key);
      return undefined;
    }
    return toItem<T>(record);
  }

  async put(key: string, value: T, options?: PutOptions): Promise<KVItem<T>> {
    assertValidKey(key);
    const { ifNotExists, ifVersion, ttlSeconds } = normalisePutOptions(options);
    const valueJson = serializeValue(value);
    const index = await this.#index();
    return this.#state.locks.run(key, async () => {
      const current = await this.#readLive(key);
      if (ifNotExists && current !== undefined) {
        throw new ConflictError(`Key already exists (version ${current.version}).`, { key });
      }
      if (ifVersion !== undefined && current?.version !== ifVersion) {
        throw new ConflictError(
          current === undefined
            ? `Expected version ${ifVersion}, but the key does not exist.`
            : `Expected version ${ifVersion}, but the stored version is ${current.version}.`,
          { key },
        );
      }
      const version = (current?.version ?? 0) + 1;
      // Whole seconds, rounded up, so an item lives at least ttlSeconds (DynamoDB TTL is in whole seconds).
      const expiresAt = ttlSeconds === undefined ? undefined : Math.ceil(nowSeconds()) + ttlSeconds;
      const hash = hashKey(key);
      const text = encodeRecord(key, valueJson, version, expiresAt);
      this.#state.records.delete(key);
      await writeFileAtomic(this.#fileOf(hash), text);
      this.#state.records.set(key, text);
      const isNew = index.keys.add(key);
      if (isNew || index.expiries.get(key) !== expiresAt) {
        appendKeyLog(this.dir, true, expiresAt === undefined ? { key, hash } : { key, hash, expiresAt });
      }
      if (expiresAt === undefined) index.expiries.delete(key);
      else index.expiries.set(key, expiresAt);
      return toItem<T>({ key, value: JSON.parse(valueJson) as unknown, version, expiresAt });
    });
  }

  async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    assertValidKey(key);
    const { ifVersion } = normaliseDeleteOptions(options);
    const index = await this.#index();
    return this.#state.locks.run(key, async () => {
      const current = await this.#readLive(key);
      if (ifVersion !== undefined && current?.version !== ifVersion) {
        throw new ConflictError(
          current === undefined
            ? `Expected version ${ifVersion}, but the key does not exist.`
            : `Expected version ${ifVersion}, but the stored version is ${current.version}.`,
          { key },
        );
      }
      // Also removes an expired or unreadable file: neither is a live item.
      this.#state.records.delete(key);
      await removeFileDurably(this.#file(key));
      if (index.keys.delete(key)) appendKeyLog(this.dir, false, { key, hash: hashKey(key) });
      index.expiries.delete(key);
      return current !== undefined;
    });
  }

  async list(options?: ListOptions): Promise<ListResult<T>> {
    const { prefix, limit, startAfter } = normaliseListOptions(options);
    const index = await this.#index();
    const items: KVItem<T>[] = [];
    // Start at the prefix, or after the cursor's key when that lies within or beyond the prefix range.
    let start = prefix;
    let exclusive = false;
    if (startAfter !== undefined && compareKeys(startAfter, prefix) >= 0) {
      start = startAfter;
      exclusive = true;
    }
    while (items.length < limit) {
      const batch = index.keys.range(start, exclusive, prefix, limit - items.length);
      const last = batch.at(-1);
      if (last === undefined) break;
      start = last;
      exclusive = true;
      items.push(...(await this.#readBatch(index, batch)));
    }
    const lastItem = items.at(-1);
    if (lastItem === undefined || items.length < limit || !this.#hasLiveKeyAfter(index, lastItem.key, prefix)) {
      return { items };
    }
    return { items, cursor: encodeCursor(lastItem.key) };
  }

  /** Reads the page's files in parallel, dropping expired, deleted-meanwhile and unreadable ones. */
  async #readBatch(index: KeyIndex, keys: string[]): Promise<KVItem<T>[]> {
    const now = nowSeconds();
    const expired = keys.filter((key) => isExpired(index.expiries.get(key), now));
    for (const key of expired) await this.#purgeIfExpired(key);
    const live = keys.filter((key) => !isExpired(index.expiries.get(key), now));
    const records = await Promise.all(live.map((key) => this.#readUsable(key)));
    const items: KVItem<T>[] = [];
    for (const record of records) {
      if (record !== undefined && !isExpired(record.expiresAt, now)) items.push(toItem<T>(record));
    }
    return items;
  }

  /** Whether the index holds an unexpired key after `key` within the prefix range: "more may follow". */
  #hasLiveKeyAfter(index: KeyIndex, key: string, prefix: string): boolean {
    const now = nowSeconds();
    let start = key;
    for (;;) {
      const batch = index.keys.range(start, true, prefix, 64);
      if (batch.some((candidate) => !isExpired(index.expiries.get(candidate), now))) return true;
      const last = batch.at(-1);
      if (last === undefined) return false;
      start = last;
    }
  }

  #file(key: string): string {
    return this.#fileOf(hashKey(key));
  }

  #fileOf(hash: string): string {
    return path.join(this.dir, hash.slice(0, 2), `${hash}.json`);
  }

  /** Counted in `recordReads` whether it comes from memory or disk: the count says which records a call touched. */
  async #read(key: string): Promise<ReadResult> {
    this.#state.stats.recordReads++;
    const cached = this.#state.records.get(key);
    if (cached !== undefined) return parseRecordText(cached, key);
    const text = readTextIfExistsSync(this.#file(key));
    const result = text === undefined ? ({ kind: 'missing' } as const) : parseRecordText(text, key);
    if (text !== undefined && result.kind === 'ok') this.#state.records.set(key, text);
    return result;
  }

  /** The stored record, or undefined when absent or unreadable (which is reported once). */
  async #readUsable(key: string): Promise<StoredRecord | undefined> {
    const result = await this.#read(key);
    if (result.kind === 'corrupt') this.#warnCorrupt(this.#file(key), result.reason);
    return result.kind === 'ok' ? result.record : undefined;
  }

  /** The record if it is a live item: present, readable and not expired. */
  async #readLive(key: string): Promise<StoredRecord | undefined> {
    const record = await this.#readUsable(key);
    return record === undefined || isExpired(record.expiresAt, nowSeconds()) ? undefined : record;
  }

  /** Lazy TTL deletion; re-checks under the lock because a put may have revived the key. */
  async #purgeIfExpired(key: string): Promise<void> {
    await this.#state.locks.run(key, async () => {
      const result = await this.#read(key);
      if (result.kind !== 'ok' || !isExpired(result.record.expiresAt, nowSeconds())) return;
      this.#state.records.delete(key);
      await removeFileDurably(this.#file(key));
      // Before the index exists (expired keys found while building it) the rebuilt log leaves them out.
      if (this.#state.index?.keys.delete(key)) appendKeyLog(this.dir, false, { key, hash: hashKey(key) });
      this.#state.index?.expiries.delete(key);
    });
  }

  #warnCorrupt(file: string, reason: string): void {
    if (this.#state.warned.has(file)) return;
    this.#state.warned.add(file);
    console.warn(`[blocks-kit] KVStore: skipping unreadable record ${file}: ${reason}.`);
  }

  /** The shared index, built on first use; one build per directory even under concurrent first calls. */
  #index(): Promise<KeyIndex> {
    const state = this.#state;
    if (state.index !== undefined) return Promise.resolve(state.index);
    state.indexReady ??= this.#buildIndex().then(
      (index) => {
        state.index = index;
        return index;
      },
      (error: unknown) => {
        state.indexReady = undefined;
        throw error;
      },
    );
    return state.indexReady;
  }

  /**
   * The index from the key log, checked against the record files that
   * exist (key-log.ts says why each step is safe). Only records the log
   * does not vouch for are read: those it does not name, and those it says
   * expire.
   */
  async #buildIndex(): Promise<KeyIndex> {
    this.#state.stats.indexBuilds++;
    const log = readKeyLog(this.dir);
    const live = new Map<string, LoggedKey>();
    const unnamed: string[] = [];
    for (const hash of this.#recordHashes()) {
      const logged = log.keys.get(hash);
      if (logged !== undefined && logged.expiresAt === undefined) live.set(hash, logged);
      else unnamed.push(hash);
    }
    const expired: string[] = [];
    const now = nowSeconds();
    for (const hash of unnamed) {
      const file = this.#fileOf(hash);
      const result = readRecordFile(file);
      if (result.kind === 'corrupt') this.#warnCorrupt(file, result.reason);
      if (result.kind !== 'ok') continue;
      const { key, expiresAt } = result.record;
      if (hashKey(key) !== hash) this.#warnCorrupt(file, `its key does not hash to its file name`);
      else if (isExpired(expiresAt, now)) expired.push(key);
      else live.set(hash, expiresAt === undefined ? { key, hash } : { key, hash, expiresAt });
    }
    const keys = sortKeys([...live.values()].map((entry) => entry.key));
    const index: KeyIndex = { keys: SortedKeyList.fromSorted(keys), expiries: new Map() };
    for (const entry of live.values()) if (entry.expiresAt !== undefined) index.expiries.set(entry.key, entry.expiresAt);
    if (unnamed.length > 0 || log.torn || log.lines > live.size * LOG_COMPACT_FACTOR + LOG_COMPACT_SLACK) {
      await rewriteKeyLog(this.dir, live.values());
    }
    // Swept now so expired items do not sit on disk until someone reads that exact key.
    for (const key of expired) await this.#purgeIfExpired(key);
    return index;
  }

  /** The hash of every record file under the directory; deletes the temp files a crash left behind. */
  #recordHashes(): string[] {
    const hashes: string[] = [];
    for (const shard of readDirIfExistsSync(this.dir)) {
      if (isAtomicTempFile(shard.name)) rmSync(path.join(this.dir, shard.name), { force: true });
      if (!shard.isDirectory() || !SHARD_NAME.test(shard.name)) continue;
      const shardDir = path.join(this.dir, shard.name);
      for (const entry of readDirIfExistsSync(shardDir)) {
        if (isAtomicTempFile(entry.name)) rmSync(path.join(shardDir, entry.name), { force: true });
        // Name shape only: a look-alike that is no record is read as an unnamed file and reported then.
        else if (entry.name.length === RECORD_NAME_LENGTH && entry.name.endsWith('.json') && entry.isFile()) {
          hashes.push(entry.name.slice(0, 64));
        }
      }
    }
    return hashes;
  }
}

function readRecordFile(file: string, expectedKey?: string): ReadResult {
  const text = readTextIfExistsSync(file);
  return text === undefined ? { kind: 'missing' } : parseRecordText(text, expectedKey);
}

function parseRecordText(text: string, expectedKey?: string): ReadResult {
  const parsed = parseRecord(text);
  if (typeof parsed === 'string') return { kind: 'corrupt', reason: parsed };
  if (expectedKey !== undefined && parsed.key !== expectedKey) {
    return { kind: 'corrupt', reason: 'it holds a different key' };
  }
  return { kind: 'ok', record: parsed };
}
