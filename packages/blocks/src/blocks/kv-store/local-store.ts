/**
 * The local (dev server and tests) KVStore: an LMDB database per store
 * directory, `<dir>/data.mdb` (and its `data.mdb-lock`), through the `lmdb`
 * package.
 *
 * Why LMDB rather than files: a B-tree keyed by the key's UTF-8 bytes keeps
 * keys in exactly the order `list` must return (DynamoDB's sort-key order,
 * see compareKeys), so a page is one range read of a memory map: ~2 µs an
 * item at any store size, where one JSON file per key needed an in-memory
 * index built on every start (0.4 s at 100k keys) and one file read per
 * listed item. Measured side by side in docs/performance.md.
 *
 * Records are the value's JSON plus the version and expiry:
 * `{"version":n,"expiresAt":s?,"value":…}`, stored as text under the key's
 * UTF-8 bytes in the `records` sub-database.
 *
 * Durability: every write is an LMDB write transaction; `put` and `delete`
 * resolve only after it is committed and flushed to disk (`flushed`), so an
 * acknowledged write survives `kill -9` and power loss, and LMDB's
 * copy-on-write pages mean a crash never leaves a torn record.
 * Conditional writes read and write inside one transaction, and LMDB
 * serialises write transactions across threads and processes, so
 * `ifVersion` / `ifNotExists` hold even when another process (a CLI) writes
 * the same store.
 *
 * A store written by an older kit (one file per key) is migrated on first
 * open, see `#migrate`.
 *
 * The open database lives in a registry on `globalThis`, shared by every
 * `LocalKVStore` for the same directory in this process: the dev server
 * loads this module twice (Node and Vite) and re-imports the app on every
 * change, and one LMDB environment per file per process is the rule.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import { ConflictError } from '../../core/errors.js';
import { findLegacyLayout, readLegacyRecords, removeLegacyLayout, type LegacyLayout } from './legacy-files.js';
import { decodeRecord, encodeRecord, type StoredRecord } from './stored-record.js';
import type { DeleteOptions, KVItem, KVStoreApi, ListOptions, ListResult, PutOptions } from './types.js';
import {
  assertValidKey,
  encodeCursor,
  normaliseDeleteOptions,
  normaliseListOptions,
  normalisePutOptions,
  serializeValue,
} from './validate.js';

/** The LMDB file in a store directory (LMDB adds `<name>-lock` next to it). */
export const DATA_FILE_NAME = 'data.mdb';

/** Counters for tests that check the cost claims (records decoded per call, opens, migrations). */
export interface LocalStoreStats {
  opens: number;
  migrations: number;
  recordReads: number;
}

type Records = Database<string, Buffer>;
interface OpenDb {
  readonly root: RootDatabase;
  readonly records: Records;
}

/** Everything shared by the `LocalKVStore` instances of one directory. */
interface DirState {
  readonly dir: string;
  db?: OpenDb;
  /** Deletion of a migrated older layout, still running in the background. */
  cleanup?: Promise<void>;
  /** Records already reported as unreadable, so each is warned about once. */
  readonly warned: Set<string>;
  readonly stats: LocalStoreStats;
}

// On globalThis under a registered symbol: the dev server loads this module twice (Node and Vite),
// and both copies must share one database per directory. testing/local-store-state.ts reads it too.
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
    state = { dir, warned: new Set(), stats: { opens: 0, migrations: 0, recordReads: 0 } };
    states.set(dir, state);
  }
  return state;
}

/** Set in `meta` in the same transaction that imports an old file layout, so the import never runs twice. */
const LEGACY_IMPORTED = 'legacyFilesImported';

function nowSeconds(): number {
  return Date.now() / 1000;
}

function isExpired(expiresAt: number | undefined, now: number): boolean {
  return expiresAt !== undefined && expiresAt <= now;
}

function toItem<T>(key: string, record: StoredRecord): KVItem<T> {
  const { value, version, expiresAt } = record;
  return expiresAt === undefined ? { key, value: value as T, version } : { key, value: value as T, version, expiresAt };
}

/** The smallest byte string greater than every key starting with `prefix` (UTF-8 has no 0xFF byte, so +1 never carries). */
function prefixEnd(prefix: Buffer): Buffer | undefined {
  if (prefix.length === 0) return undefined;
  const end = Buffer.from(prefix);
  end[end.length - 1] = (end[end.length - 1] as number) + 1;
  return end;
}

function conflictMessage(ifVersion: number, current: StoredRecord | undefined): string {
  return current === undefined
    ? `Expected version ${ifVersion}, but the key does not exist.`
    : `Expected version ${ifVersion}, but the stored version is ${current.version}.`;
}

/** A `KVStoreApi` over one LMDB database; see the module comment for the design. */
export class LocalKVStore<T> implements KVStoreApi<T> {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    dirState(this.dir);
  }

  /** Looked up on each call, so an instance outlives a close of its directory (tests, the bench) and reopens it. */
  get #state(): DirState {
    return dirState(this.dir);
  }

  async get(key: string): Promise<KVItem<T> | undefined> {
    assertValidKey(key);
    const { records } = this.#state.db ?? (await this.#open());
    const bytes = Buffer.from(key, 'utf8');
    const record = this.#read(records, bytes, key);
    if (record === undefined) return undefined;
    if (isExpired(record.expiresAt, nowSeconds())) {
      await this.#purgeExpired([bytes]);
      return undefined;
    }
    return toItem<T>(key, record);
  }

  async put(key: string, value: T, options?: PutOptions): Promise<KVItem<T>> {
    assertValidKey(key);
    const { ifNotExists, ifVersion, ttlSeconds } = normalisePutOptions(options);
    const valueJson = serializeValue(value);
    const { root, records } = this.#state.db ?? (await this.#open());
    const bytes = Buffer.from(key, 'utf8');
    // Read, check and write in one write transaction: nothing can slip in between.
    const outcome = await records.transaction(() => {
      const current = this.#readLive(records, bytes, key);
      if (ifNotExists && current !== undefined) return { conflict: `Key already exists (version ${current.version}).` };
      if (ifVersion !== undefined && current?.version !== ifVersion) return { conflict: conflictMessage(ifVersion, current) };
      const version = (current?.version ?? 0) + 1;
      // Whole seconds, rounded up, so an item lives at least ttlSeconds (DynamoDB TTL is in whole seconds).
      const expiresAt = ttlSeconds === undefined ? undefined : Math.ceil(nowSeconds()) + ttlSeconds;
      void records.put(bytes, encodeRecord(valueJson, version, expiresAt));
      return { version, expiresAt };
    });
    if ('conflict' in outcome) throw new ConflictError(outcome.conflict, { key });
    await root.flushed;
    const { version, expiresAt } = outcome;
    return toItem<T>(key, { value: JSON.parse(valueJson) as unknown, version, expiresAt });
  }

  async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    assertValidKey(key);
    const { ifVersion } = normaliseDeleteOptions(options);
    const { root, records } = this.#state.db ?? (await this.#open());
    const bytes = Buffer.from(key, 'utf8');
    const outcome = await records.transaction(() => {
      const current = this.#readLive(records, bytes, key);
      if (ifVersion !== undefined && current?.version !== ifVersion) return { conflict: conflictMessage(ifVersion, current) };
      // Also removes an expired or unreadable record: neither is a live item.
      if (records.doesExist(bytes)) void records.remove(bytes);
      return { deleted: current !== undefined };
    });
    if ('conflict' in outcome) throw new ConflictError(outcome.conflict, { key });
    await root.flushed;
    return outcome.deleted;
  }

  async list(options?: ListOptions): Promise<ListResult<T>> {
    const { prefix, limit, startAfter } = normaliseListOptions(options);
    const { records } = this.#state.db ?? (await this.#open());
    const prefixBytes = Buffer.from(prefix, 'utf8');
    // A cursor always lies within its prefix (normaliseListOptions checks it), so it is the start.
    const start = startAfter === undefined ? prefixBytes : Buffer.from(startAfter, 'utf8');
    const now = nowSeconds();
    const items: KVItem<T>[] = [];
    const expired: Buffer[] = [];
    let more = false;
    for (const { key: keyBytes, value: text } of records.getRange({ start, end: prefixEnd(prefixBytes) })) {
      const key = keyBytes.toString('utf8');
      if (startAfter !== undefined && key === startAfter) continue;
      const record = this.#decode(text, key);
      if (record === undefined) continue;
      if (isExpired(record.expiresAt, now)) {
        expired.push(keyBytes);
        continue;
      }
      // One live item past the page is enough to say "more may follow".
      if (items.length === limit) {
        more = true;
        break;
      }
      items.push(toItem<T>(key, record));
    }
    // Swept now so expired items do not stay on disk until someone reads that exact key.
    if (expired.length > 0) await this.#purgeExpired(expired);
    const lastItem = items.at(-1);
    return more && lastItem !== undefined ? { items, cursor: encodeCursor(lastItem.key) } : { items };
  }

  /** The stored record, or undefined when absent or unreadable (which is reported once). */
  #read(records: Records, bytes: Buffer, key: string): StoredRecord | undefined {
    const text = records.get(bytes);
    return text === undefined ? undefined : this.#decode(text, key);
  }

  /** The record if it is a live item: present, readable and not expired. */
  #readLive(records: Records, bytes: Buffer, key: string): StoredRecord | undefined {
    const record = this.#read(records, bytes, key);
    return record === undefined || isExpired(record.expiresAt, nowSeconds()) ? undefined : record;
  }

  /** Counted in `recordReads`: the count says which records a call touched. */
  #decode(text: string, key: string): StoredRecord | undefined {
    this.#state.stats.recordReads++;
    const record = decodeRecord(text);
    if (typeof record !== 'string') return record;
    this.#warnCorrupt(key, record);
    return undefined;
  }

  /** Lazy TTL deletion; re-checks inside the transaction because a put may have revived a key. */
  async #purgeExpired(keys: readonly Buffer[]): Promise<void> {
    const { root, records } = this.#state.db ?? (await this.#open());
    await records.transaction(() => {
      const now = nowSeconds();
      for (const bytes of keys) {
        const text = records.get(bytes);
        const record = text === undefined ? undefined : decodeRecord(text);
        if (record !== undefined && typeof record !== 'string' && isExpired(record.expiresAt, now)) void records.remove(bytes);
      }
    });
    await root.flushed;
  }

  #warnCorrupt(key: string, reason: string): void {
    if (this.#state.warned.has(key)) return;
    this.#state.warned.add(key);
    console.warn(`[blocks-kit] KVStore: skipping unreadable record ${JSON.stringify(key)} in ${this.dir}: ${reason}.`);
  }

  /** The shared database, opened (and an old layout migrated) on first use. */
  async #open(): Promise<OpenDb> {
    const state = this.#state;
    if (state.db !== undefined) return state.db;
    mkdirSync(this.dir, { recursive: true });
    const root = open({ path: path.join(this.dir, DATA_FILE_NAME) });
    const records: Records = root.openDB<string, Buffer>({ name: 'records', encoding: 'string', keyEncoding: 'binary' });
    const meta = root.openDB<boolean, string>({ name: 'meta', encoding: 'json' });
    state.stats.opens++;
    const layout = findLegacyLayout(this.dir);
    if (layout.found) this.#importLegacy(layout, records, meta);
    // Set before any await: concurrent first calls share this one database.
    state.db = { root, records };
    if (layout.found) {
      // Only once the import is on disk may its source go; in the background, so requests need not wait.
      state.cleanup = root.flushed
        .then(() => removeLegacyLayout(layout))
        .catch((error: unknown) => {
          // Harmless: the import is marked done, so the next open only tries the deletion again.
          console.warn(`[blocks-kit] KVStore: could not delete the migrated files in ${this.dir}: ${String(error)}`);
        });
    }
    return state.db;
  }

  /**
   * Imports a store written by an older kit (one JSON file per key, see
   * legacy-files.ts); `#open` then deletes the files in the background. The import is one
   * synchronous transaction that also sets the `meta` marker, so a crash
   * leaves either nothing imported (the next open imports again) or
   * everything imported and marked (the next open only deletes the leftover
   * files, which by then may be older than what was written since).
   */
  #importLegacy(layout: LegacyLayout, records: Records, meta: Database<boolean, string>): void {
    if (meta.get(LEGACY_IMPORTED) === true) return;
    const now = nowSeconds();
    const warn = (file: string, reason: string): void => {
      console.warn(`[blocks-kit] KVStore: not migrating unreadable record ${file}: ${reason}.`);
    };
    records.transactionSync(() => {
      for (const record of readLegacyRecords(layout, warn)) {
        if (isExpired(record.expiresAt, now)) continue;
        records.putSync(Buffer.from(record.key, 'utf8'), encodeRecord(record.valueJson, record.version, record.expiresAt));
      }
      meta.putSync(LEGACY_IMPORTED, true);
    });
    this.#state.stats.migrations++;
  }
}

/** Closes `dir`'s database (once a migration's background cleanup is done) and forgets it; the next use opens it again. */
export async function closeLocalStoreDir(dir: string): Promise<void> {
  const states = registry();
  const resolved = path.resolve(dir);
  const state = states.get(resolved);
  states.delete(resolved);
  await state?.cleanup;
  if (state?.db !== undefined) {
    await state.db.root.flushed;
    await state.db.root.close();
  }
}
