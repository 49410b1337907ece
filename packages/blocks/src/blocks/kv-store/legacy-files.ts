/**
 * The local store's earlier layout, read once to migrate it into LMDB
 * (local-store.ts): one JSON file per key at
 * `<dir>/<sha256(key) hex, first 2>/<sha256(key) hex>.json` holding
 * `{ key, value, version, expiresAt? }`, plus `<dir>/keys.log`, an index
 * hint that the migration does not need (every record file is read).
 *
 * A record file is the truth for its key: the old store wrote each one
 * atomically and durably, so a file that does not parse, or whose key does
 * not hash to its name, was damaged behind the store's back and is skipped
 * with a warning, as the old store skipped it.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isAtomicTempFile } from '../../local/atomic-file.js';
import { readDirIfExistsSync, readTextIfExistsSync } from '../../local/if-exists.js';
import { decodeRecord, type StoredRecord } from './stored-record.js';

const SHARD_NAME = /^[0-9a-f]{2}$/;
const RECORD_NAME = /^[0-9a-f]{64}\.json$/;
const KEY_LOG_NAME = 'keys.log';

/** One record of the old layout, as the old store would have served it. */
export interface LegacyRecord {
  readonly key: string;
  /** The value, as JSON text (not parsed: it is stored again as text). */
  readonly valueJson: string;
  readonly version: number;
  readonly expiresAt?: number;
}

/** What of the old layout is present in `dir`; `found` is false for a store that never had it. */
export interface LegacyLayout {
  readonly found: boolean;
  readonly shardDirs: readonly string[];
  readonly others: readonly string[];
}

/** Shard folders, the key log and crash-left temp files of the old layout in `dir`. */
export function findLegacyLayout(dir: string): LegacyLayout {
  const shardDirs: string[] = [];
  const others: string[] = [];
  for (const entry of readDirIfExistsSync(dir)) {
    if (entry.isDirectory() && SHARD_NAME.test(entry.name)) shardDirs.push(path.join(dir, entry.name));
    else if (entry.name === KEY_LOG_NAME || isAtomicTempFile(entry.name)) others.push(path.join(dir, entry.name));
  }
  return { found: shardDirs.length > 0 || others.length > 0, shardDirs, others };
}

/** Every readable record of the old layout; `warn` hears about each damaged file. */
export function* readLegacyRecords(layout: LegacyLayout, warn: (file: string, reason: string) => void): Generator<LegacyRecord> {
  for (const shardDir of layout.shardDirs) {
    for (const entry of readDirIfExistsSync(shardDir)) {
      if (!entry.isFile() || !RECORD_NAME.test(entry.name)) continue;
      const file = path.join(shardDir, entry.name);
      const text = readTextIfExistsSync(file);
      if (text === undefined) continue;
      const record = parseLegacyRecord(text);
      if (typeof record === 'string') warn(file, record);
      else if (createHash('sha256').update(record.key, 'utf8').digest('hex') !== entry.name.slice(0, 64)) {
        warn(file, 'its key does not hash to its file name');
      } else yield record;
    }
  }
}

/**
 * Deletes the old layout; called only once its records are committed to the
 * new store. Asynchronous (off the event loop): deleting 100k files takes
 * twice as long as reading them, and requests need not wait for it.
 */
export async function removeLegacyLayout(layout: LegacyLayout): Promise<void> {
  await Promise.all([
    ...layout.shardDirs.map((shardDir) => rm(shardDir, { recursive: true, force: true })),
    ...layout.others.map((file) => rm(file, { force: true })),
  ]);
}

function parseLegacyRecord(text: string): LegacyRecord | string {
  const record = decodeRecord(text);
  if (typeof record === 'string') return record;
  const { key } = record as StoredRecord & { key?: unknown };
  if (typeof key !== 'string' || key === '') return 'no string "key"';
  const { version, expiresAt } = record;
  const valueJson = JSON.stringify(record.value);
  return expiresAt === undefined ? { key, valueJson, version } : { key, valueJson, version, expiresAt };
}
