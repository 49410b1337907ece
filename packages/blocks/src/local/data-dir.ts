import path from 'node:path';

/**
 * Root of all local Blocks data (KV stores, the local user pool and its
 * signing key). Gitignored; override with BLOCKS_DATA_DIR, e.g. per test.
 */
export function localDataDir(): string {
  return path.resolve(process.env.BLOCKS_DATA_DIR ?? path.join(process.cwd(), '.blocks-data'));
}
