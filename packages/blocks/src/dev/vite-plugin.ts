import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Plugin, ViteDevServer } from 'vite';
import { API_PATH } from '../rpc/protocol.js';
import { amplifyOutputsPlugin, resolveMode } from './amplify-outputs.js';
import { createAppLoader, type AppLoader } from './app-loader.js';
import { createBackgroundRunner, type BackgroundRunner } from './background.js';
import { blocksApiMiddleware } from '../transports/node.js';
import { LocalAuth, localAmplifyOutputs } from './local-auth.js';
import { loadForDevServer } from './auth-definition/dev-wiring.js';
import { CONSOLE_PATH, createBlocksConsole, type BlocksConsole } from './console/index.js';
import { sessionGate, type SessionGate } from './session-gate.js';

export interface BlocksDevOptions {
  /** The app's Blocks module, relative to the Vite root. */
  readonly entry?: string;
  /** Request body limit for the local API, in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number;
  /** Bounds of the console's request log (default 1,000 calls, 8 MB). */
  readonly requestLog?: { readonly maxEntries?: number; readonly maxBytes?: number };
}

export const DEFAULT_ENTRY = 'aws-blocks/index.ts';

/** What startBlocksDevServer needs from the plugin once its server listens. */
export interface BlocksDevApi {
  /** Starts the local user pool for a server reachable at `origin`, unless in cloud mode, and the Blocks' background work. */
  listening(origin: string): void;
  /** Stops the Blocks' background work (queues, schedules), waiting for runs in progress. */
  close(): Promise<void>;
  readonly localAuth: LocalAuth;
  /** The local console at /_blocks/ (local mode only), once the server is configured. */
  readonly console: BlocksConsole | undefined;
}

/**
 * Everything the app's vite.config.ts needs: the `virtual:amplify-outputs`
 * module (local or cloud configuration) and, in dev, the local Blocks API and
 * user pool.
 */
export function blocks(options: BlocksDevOptions = {}): Plugin[] {
  const dev = blocksDev(options);
  const localOutputs = () => localAmplifyOutputs(API_PATH, (dev.api as BlocksDevApi).localAuth.definition);
  return [amplifyOutputsPlugin({ localOutputs }), dev];
}

/**
 * Serves the Blocks API on the Vite dev server's own origin (so the browser
 * needs no CORS in development) and picks up edits to aws-blocks/ on the next
 * request, without a restart. In local mode it also serves the local user
 * pool at /local-cognito and the Blocks console at /_blocks/. Dev-only:
 * nothing of it reaches the bundle.
 */
export function blocksDev(options: BlocksDevOptions = {}): Plugin<BlocksDevApi> {
  const localAuth = new LocalAuth();
  let local = true;
  let background: BackgroundRunner | undefined;
  let loadApp: (() => Promise<Readonly<Record<string, unknown>>>) | undefined;
  const api: BlocksDevApi & { console: BlocksConsole | undefined } = {
    localAuth,
    console: undefined,
    listening(origin) {
      if (local && !localAuth.pool) localAuth.start(origin);
      // Jobs and schedules run in this process from the start, not from the first API call.
      if (loadApp !== undefined && background !== undefined) {
        const runner = background;
        loadApp().then(
          (appModule) => runner.sync(appModule),
          (error: unknown) => console.error(`[blocks] background work waits for the app module to load: ${(error as Error).message}`),
        );
      }
    },
    async close() {
      await background?.close();
    },
  };
  return {
    name: 'blocks-kit:dev',
    apply: 'serve',
    api,
    async configureServer(server) {
      local = resolveMode(server.config.root, 'serve') === 'local';
      // Before the server listens, so the pool and the page start from the app's own defineAuth.
      if (local) localAuth.definition = await loadForDevServer(server);
      const entry = path.resolve(server.config.root, options.entry ?? DEFAULT_ENTRY);
      const app = createAppLoader(server, entry);
      background = createBackgroundRunner(() => app.load());
      // Every load the API makes also starts Blocks an edit added and stops those it removed.
      loadApp = async () => {
        const appModule = await app.load();
        background?.sync(appModule);
        return appModule;
      };
      const load = loadApp;
      server.httpServer?.once('close', () => void api.close().then(() => app.close()));
      server.httpServer?.once('listening', () => {
        const { port } = server.httpServer!.address() as AddressInfo;
        api.listening(`http://localhost:${port}`);
        if (local) server.config.logger.info(`  ➜  Blocks console: http://localhost:${port}${CONSOLE_PATH}/`);
      });
      server.middlewares.use(localAuth.middleware);
      const blocksConsole = local ? mountLocalConsole(server, app, localAuth, options) : undefined;
      api.console = blocksConsole;
      server.middlewares.use(
        blocksApiMiddleware(load, {
          ...(options.maxBodyBytes !== undefined && { maxBodyBytes: options.maxBodyBytes }),
          ...(blocksConsole && { observer: blocksConsole.log.observe }),
        }),
      );
    },
  };
}

/**
 * Local mode only: the console at /_blocks/ with its request log, and the
 * session gate that ends a deleted or disabled user's sign-in on their next
 * call (the console tells it when it changed a user).
 */
function mountLocalConsole(server: ViteDevServer, app: AppLoader, localAuth: LocalAuth, options: BlocksDevOptions): BlocksConsole {
  // The console tells the gate about user changes; the gate reports its refusals to the console's log.
  const gateRef: { current?: SessionGate } = {};
  const blocksConsole = createBlocksConsole({
    load: () => app.load(),
    pool: () => localAuth.pool,
    transformHtml: (url, html) => server.transformIndexHtml(url, html),
    withoutViteClient: server.config.server.ws === false,
    terminal: process.env.BLOCKS_LOG_CALLS === '1',
    onUsersChanged: () => gateRef.current?.forget(),
    ...(options.requestLog && { requestLog: options.requestLog }),
  });
  const gate = sessionGate(() => localAuth.pool, blocksConsole.log.observe);
  gateRef.current = gate;
  server.middlewares.use(blocksConsole.middleware);
  server.middlewares.use(gate.middleware);
  server.httpServer?.once('close', () => blocksConsole.close());
  return blocksConsole;
}
