/**
 * What tests see of the local store's per-directory state (local-store.ts
 * keeps it on globalThis so every copy of the module shares it): close a
 * directory's database, as a process exit would, and read its cost counters.
 */
import path from 'node:path';
import { closeLocalStoreDir, type LocalStoreStats } from '../local-store.js';

type Registry = Map<string, { readonly stats: LocalStoreStats }>;

function registry(): Registry | undefined {
  return (globalThis as { [key: symbol]: Registry | undefined })[Symbol.for('blocks-kit.localStores')];
}

/** Closes `dir`'s database (after its pending writes are flushed); the next `LocalKVStore` for it opens it again. */
export function closeLocalStore(dir: string): Promise<void> {
  return closeLocalStoreDir(dir);
}

/** The counters of `dir`'s shared state, if it is open. */
export function localStoreStats(dir: string): LocalStoreStats | undefined {
  return registry()?.get(path.resolve(dir))?.stats;
}
