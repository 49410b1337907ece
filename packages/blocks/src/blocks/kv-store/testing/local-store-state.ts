/**
 * What tests see of the local store's per-directory state (local-store.ts
 * keeps it on globalThis so every copy of the module shares it): forget a
 * directory, as a restarted process would, and read its cost counters.
 */
import path from 'node:path';
import type { LocalStoreStats } from '../local-store.js';

type Registry = Map<string, { readonly stats: LocalStoreStats }>;

function registry(): Registry | undefined {
  return (globalThis as { [key: symbol]: Registry | undefined })[Symbol.for('blocks-kit.localStores')];
}

/** The next `LocalKVStore` for `dir` rebuilds its index from disk. */
export function closeLocalStore(dir: string): void {
  registry()?.delete(path.resolve(dir));
}

/** The counters of `dir`'s shared state, if it is open. */
export function localStoreStats(dir: string): LocalStoreStats | undefined {
  return registry()?.get(path.resolve(dir))?.stats;
}
