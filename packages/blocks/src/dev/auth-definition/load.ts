/**
 * Loads the app's auth definition for local mode: synthesized once, then
 * cached in `.blocks-data/auth-definition/` under a hash of the backend
 * sources in `amplify/` (auth/resource.ts and the backend.ts that may
 * override it) and the lockfile (a new Amplify version may synthesize
 * differently), so a warm `npm run dev` starts without running the CDK.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';
import { writeFileAtomic } from '../../local/atomic-file.js';
import { readTextIfExists } from '../../local/if-exists.js';
import { deriveAuthDefinition, type AuthDefinition } from './derive.js';
import { synthesizeAuth } from './synthesize.js';

/** Bumped when derive.ts reads something new, so old caches are rebuilt. */
const DERIVATION_VERSION = '1';

export const BACKEND_DIR = 'amplify';
export const AUTH_RESOURCE = path.join(BACKEND_DIR, 'auth', 'resource.ts');
const BACKEND_FILE = path.join(BACKEND_DIR, 'backend.ts');

/** Backend sources: not tests, test helpers or installed packages, which the synthesis does not read. */
export function isBackendSource(relativeFile: string): boolean {
  const parts = relativeFile.split(path.sep);
  if (parts.includes('node_modules') || parts.includes('testing')) return false;
  return /\.(ts|mts|js|mjs|json)$/.test(relativeFile) && !/\.test\.ts$/.test(relativeFile);
}

async function filesUnder(projectRoot: string): Promise<string[]> {
  const dir = path.join(projectRoot, BACKEND_DIR);
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => isBackendSource(path.relative(projectRoot, file)))
    .sort();
}

/** Hash of everything the synthesis of the auth definition depends on. */
export async function authSourceHash(projectRoot: string): Promise<string> {
  const hash = createHash('sha256').update(`v${DERIVATION_VERSION}\0`);
  const files = [...(await filesUnder(projectRoot)), path.join(projectRoot, 'package-lock.json')];
  for (const file of files) {
    hash.update(path.relative(projectRoot, file)).update('\0');
    hash.update((await readTextIfExists(file)) ?? '').update('\0');
  }
  return hash.digest('hex');
}

/**
 * One file per source hash, so projects and fixtures sharing a cache dir do not
 * evict each other. BLOCKS_AUTH_CACHE_DIR moves it (tests keep the developer's
 * .blocks-data/ untouched); it is not under BLOCKS_DATA_DIR, which tests vary per case.
 */
export const cacheFile = (projectRoot: string, hash: string): string =>
  path.join(
    process.env.BLOCKS_AUTH_CACHE_DIR ?? path.join(projectRoot, '.blocks-data', 'auth-definition'),
    `${hash.slice(0, 32)}.json`,
  );

async function readCache(projectRoot: string, hash: string): Promise<AuthDefinition | undefined> {
  const text = await readTextIfExists(cacheFile(projectRoot, hash));
  const cached = text === undefined ? undefined : safeJsonParse(text);
  if (!isJsonObject(cached) || cached.hash !== hash || !isJsonObject(cached.definition)) return undefined;
  return cached.definition.version === 1 ? (cached.definition as unknown as AuthDefinition) : undefined;
}

export type LoadedAuthDefinition =
  | { readonly kind: 'derived'; readonly definition: AuthDefinition; readonly fromCache: boolean; readonly hash: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'failed'; readonly error: string };

/**
 * The auth of `<projectRoot>/amplify/backend.ts`; `none` when the project has
 * no amplify/auth/resource.ts or backend.ts (local mode then uses the built-in defaults).
 */
export async function loadAuthDefinition(projectRoot: string): Promise<LoadedAuthDefinition> {
  const backend = path.join(projectRoot, BACKEND_FILE);
  if ((await readTextIfExists(path.join(projectRoot, AUTH_RESOURCE))) === undefined) return { kind: 'none' };
  if ((await readTextIfExists(backend)) === undefined) return { kind: 'none' };
  const hash = await authSourceHash(projectRoot);
  const cached = await readCache(projectRoot, hash);
  if (cached) return { kind: 'derived', definition: cached, fromCache: true, hash };
  try {
    const definition = deriveAuthDefinition(await synthesizeAuth(projectRoot, backend));
    await writeFileAtomic(cacheFile(projectRoot, hash), `${JSON.stringify({ hash, definition }, null, 2)}\n`);
    return { kind: 'derived', definition, fromCache: false, hash };
  } catch (error) {
    const detail = error instanceof Error ? ((error as { stderr?: string }).stderr || error.message) : String(error);
    return { kind: 'failed', error: detail.trim().split('\n').slice(-12).join('\n') };
  }
}

