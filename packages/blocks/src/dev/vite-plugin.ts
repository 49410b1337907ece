import path from 'node:path';
import type { Plugin } from 'vite';
import { amplifyOutputsPlugin } from './amplify-outputs.js';
import { createAppLoader } from './app-loader.js';
import { blocksApiMiddleware } from './blocks-middleware.js';
import { API_PATH } from '../rpc/protocol.js';

export interface BlocksDevOptions {
  /** The app's Blocks module, relative to the Vite root. */
  readonly entry?: string;
  /** Request body limit for the local API, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
}

export const DEFAULT_ENTRY = 'aws-blocks/index.ts';

/**
 * Everything the app's vite.config.ts needs: the `virtual:amplify-outputs`
 * module (local or cloud configuration) and, in dev, the local Blocks API.
 */
export function blocks(options: BlocksDevOptions = {}): Plugin[] {
  return [amplifyOutputsPlugin({ localOutputs }), blocksDev(options)];
}

/** Frontend configuration in local mode: every endpoint on the dev server's origin. */
function localOutputs(): Record<string, unknown> {
  return {
    version: '1.4',
    custom: { blocks_api_url: API_PATH, blocks_mode: 'local' },
  };
}

/**
 * Serves the Blocks API on the Vite dev server's own origin (so the browser
 * needs no CORS in development) and picks up edits to aws-blocks/ on the next
 * request, without a restart. Dev-only: nothing of it reaches the bundle.
 */
export function blocksDev(options: BlocksDevOptions = {}): Plugin {
  return {
    name: 'blocks-kit:dev',
    apply: 'serve',
    configureServer(server) {
      const entry = path.resolve(server.config.root, options.entry ?? DEFAULT_ENTRY);
      const app = createAppLoader(server, entry);
      server.httpServer?.once('close', () => void app.close());
      server.middlewares.use(
        blocksApiMiddleware(() => app.load(), {
          ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
        }),
      );
    },
  };
}
