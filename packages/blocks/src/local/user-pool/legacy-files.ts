/**
 * The user pool's earlier layout: one JSON file per record in
 * `<root>/users/`, `emails/`, `sessions/` and `decoys/`, named
 * `<id>.json`. Imported into the pool's store (store.ts) on first use, then
 * deleted.
 *
 * Crash safety: every record is written to the store before the marker key
 * is, and the folders are deleted only after the marker; an interrupted
 * import runs again from the files (same records, same result), and once
 * the marker exists leftover folders are only deleted, never read again
 * (they may be older than what was written since).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { LocalKVStore } from '../../blocks/kv-store/local-store.js';
import { safeJsonParse } from '../../core/safe-json.js';
import { isAtomicTempFile } from '../atomic-file.js';
import { readDirIfExists, readTextIfExists } from '../if-exists.js';

/** The store's folder inside the pool's root. */
export const STORE_DIR = 'store';
const FOLDERS = ['users', 'emails', 'sessions', 'decoys'] as const;
const MARKER_KEY = 'meta/legacy-files-imported';
/** The file names the old store wrote: a UUID or a hex digest. */
const RECORD_FILE = /^[0-9a-f-]{36,64}\.json$/;

export async function importLegacyFiles(root: string, kv: LocalKVStore<unknown>): Promise<void> {
  const present: string[] = [];
  for (const entry of await readDirIfExists(root)) {
    if (entry.isDirectory() && (FOLDERS as readonly string[]).includes(entry.name)) present.push(entry.name);
  }
  if (present.length === 0) return;
  if ((await kv.get(MARKER_KEY)) === undefined) {
    for (const folder of present) {
      for (const entry of await readDirIfExists(path.join(root, folder))) {
        if (!entry.isFile() || isAtomicTempFile(entry.name) || !RECORD_FILE.test(entry.name)) continue;
        const text = await readTextIfExists(path.join(root, folder, entry.name));
        // A file broken by hand was read as "no record" before; it stays that way.
        const value = text === undefined ? undefined : safeJsonParse(text);
        if (value !== undefined) await kv.put(`${folder}/${entry.name.slice(0, -'.json'.length)}`, value);
      }
    }
    await kv.put(MARKER_KEY, true);
  }
  for (const folder of present) await rm(path.join(root, folder), { recursive: true, force: true });
}
