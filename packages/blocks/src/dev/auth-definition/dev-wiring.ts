/**
 * The dev server's side of the auth definition: load it before the local pool
 * starts, say what happened (and what is not emulated) once, and when a file
 * of the backend (amplify/) changes while the server runs, tell the developer to
 * restart, since the pool and the page's outputs were built from the old one.
 */
import path from 'node:path';
import type { ViteDevServer } from 'vite';
import type { AuthDefinition } from './derive.js';
import { formatLimits } from './limits.js';
import { AUTH_RESOURCE, BACKEND_DIR, authSourceHash, isBackendSource, loadAuthDefinition } from './load.js';

export const RESTART_MESSAGE =
  '[blocks] the auth definition (amplify/auth/resource.ts or amplify/backend.ts) changed: restart `npm run dev` so the local user pool and sign-up form follow it.';

/**
 * The project whose amplify/ defines auth: the Vite root, or BLOCKS_AUTH_PROJECT
 * (a monorepo's backend package, or a test's fixture definition).
 */
function authProject(server: ViteDevServer): string {
  const override = process.env.BLOCKS_AUTH_PROJECT;
  return override ? path.resolve(override) : server.config.root;
}

export async function loadForDevServer(server: ViteDevServer): Promise<AuthDefinition | undefined> {
  const root = authProject(server);
  const logger = server.config.logger;
  const started = Date.now();
  const loaded = await loadAuthDefinition(root);
  if (loaded.kind === 'none') return undefined;
  if (loaded.kind === 'failed') {
    logger.warn(
      `[blocks] could not synthesize ${AUTH_RESOURCE}, so the local user pool uses the built-in email sign-in:\n${loaded.error}`,
    );
    return undefined;
  }
  const how = loaded.fromCache ? 'cached' : `synthesized in ${((Date.now() - started) / 1000).toFixed(1)} s, now cached`;
  logger.info(`[blocks] local user pool follows ${AUTH_RESOURCE} (${how}).`);
  const limits = formatLimits(loaded.definition.limits, AUTH_RESOURCE);
  if (limits) logger.warn(limits);
  watchForChanges(server, root, loaded.hash);
  return loaded.definition;
}

function watchForChanges(server: ViteDevServer, root: string, loadedHash: string): void {
  const dir = path.join(root, BACKEND_DIR);
  let lastWarned = loadedHash;
  server.watcher.add(dir);
  const onChange = (file: string) => {
    const absolute = path.resolve(file);
    if (!absolute.startsWith(dir + path.sep) || !isBackendSource(path.relative(root, absolute))) return;
    authSourceHash(root)
      .then((hash) => {
        if (hash === lastWarned) return;
        lastWarned = hash;
        if (hash !== loadedHash) server.config.logger.warn(RESTART_MESSAGE, { timestamp: true });
      })
      .catch(() => undefined);
  };
  server.watcher.on('change', onChange).on('add', onChange).on('unlink', onChange);
}
