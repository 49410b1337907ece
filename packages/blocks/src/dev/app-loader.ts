import path from 'node:path';
import { createServerModuleRunner, type ViteDevServer } from 'vite';

export interface AppLoader {
  /** The app module; re-evaluated after any file it imports has changed. */
  load(): Promise<Readonly<Record<string, unknown>>>;
  close(): Promise<void>;
}

/**
 * Loads the app's Blocks module through its own Vite module runner and
 * decides reloads itself: when the watcher reports a change to a file in the
 * module graph, the next request evaluates the app afresh. (Relying on Vite's
 * implicit SSR invalidation missed quick successive edits.)
 */
export function createAppLoader(server: ViteDevServer, entryFile: string): AppLoader {
  const environment = server.environments.ssr;
  const runner = createServerModuleRunner(environment, { hmr: false });
  let stale = false;

  const onFileEvent = (file: string): void => {
    const normalised = path.resolve(file);
    if (environment.moduleGraph.getModulesByFile(normalised)?.size) stale = true;
  };
  server.watcher.on('change', onFileEvent);
  server.watcher.on('unlink', onFileEvent);
  server.watcher.on('add', onFileEvent);

  return {
    async load() {
      if (stale) {
        stale = false;
        runner.clearCache();
        environment.moduleGraph.invalidateAll();
      }
      return (await runner.import(entryFile)) as Record<string, unknown>;
    },
    async close() {
      server.watcher.off('change', onFileEvent);
      server.watcher.off('unlink', onFileEvent);
      server.watcher.off('add', onFileEvent);
      await runner.close();
    },
  };
}
