/**
 * Background work in the dev server: starts every declared Block that has
 * some (core/background.ts) once per (scope, id), starts those added by an
 * edit and stops those removed, and stops them all on close. Each Block
 * looks itself up in the freshly loaded app module at every run, so edits to
 * its handler apply to the next run.
 */
import { readAppModule } from '../core/app-module.js';
import { isBackgroundBlock, type BackgroundBlock, type BackgroundWork } from '../core/background.js';
import { bindingKey } from '../core/binding.js';

export interface BackgroundRunner {
  /** Brings the running set in line with what `appModule` declares. */
  sync(appModule: Readonly<Record<string, unknown>>): void;
  close(): Promise<void>;
}

function declaredBackground(appModule: Readonly<Record<string, unknown>>): Map<string, BackgroundBlock> {
  const blocks = new Map<string, BackgroundBlock>();
  for (const resource of readAppModule(appModule).resources) {
    if (isBackgroundBlock(resource)) blocks.set(`${resource.kind}:${bindingKey(resource)}`, resource);
  }
  return blocks;
}

export function createBackgroundRunner(load: () => Promise<Readonly<Record<string, unknown>>>): BackgroundRunner {
  const running = new Map<string, BackgroundWork>();
  let closed = false;

  const current = (key: string) => async (): Promise<BackgroundBlock | undefined> => {
    try {
      return declaredBackground(await load()).get(key);
    } catch (error) {
      // The app does not load right now (an edit in progress): skip this run, as the API would fail its calls.
      console.error(`[blocks] background ${key}: the app module does not load: ${(error as Error).message}`);
      return undefined;
    }
  };

  return {
    sync(appModule) {
      if (closed) return;
      const declared = declaredBackground(appModule);
      for (const [key, block] of declared) {
        if (running.has(key)) continue;
        try {
          running.set(key, block.startBackground(current(key)));
        } catch (error) {
          console.error(`[blocks] background ${key} did not start: ${(error as Error).message}`);
        }
      }
      for (const [key, work] of running) {
        if (declared.has(key)) continue;
        running.delete(key);
        void work.stop();
      }
    },
    async close() {
      closed = true;
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((work) => work.stop()));
    },
  };
}
