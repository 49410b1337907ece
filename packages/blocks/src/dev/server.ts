import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer as createViteServer, type ViteDevServer } from 'vite';
import { API_PATH } from '../rpc/protocol.js';
import { NOT_FOUND_BODY, responseHeaders } from '../rpc/responses.js';
import { writeResponse } from '../transports/node.js';
import { blocksDev, type BlocksDevApi, type BlocksDevOptions } from './vite-plugin.js';
import type { LocalUserPool } from '../local/user-pool/index.js';
import type { BlocksConsole } from './console/index.js';

export interface BlocksDevServerOptions extends BlocksDevOptions {
  /** Project root holding aws-blocks/; default the current directory. */
  readonly root?: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Loopback by default: the local API has no business on the network. */
  readonly host?: string;
}

export interface BlocksDevServer {
  readonly url: string;
  readonly apiUrl: string;
  /** The local user pool (absent when BLOCKS_MODE=cloud). */
  readonly userPool: LocalUserPool | undefined;
  /** The local console at `/_blocks/` and its request log (absent in cloud mode). */
  readonly console: BlocksConsole | undefined;
  readonly vite: ViteDevServer;
  close(): Promise<void>;
}

/**
 * The Blocks API as a standalone HTTP server, for non-browser clients
 * (`npm run blocks:dev`), tests and benchmarks. It loads the app through the
 * same Vite plugin as `npm run dev`, so both serve identical code.
 */
export async function startBlocksDevServer(options: BlocksDevServerOptions = {}): Promise<BlocksDevServer> {
  const plugin = blocksDev(options);
  const root = path.resolve(options.root ?? process.cwd());
  const vite = await createViteServer({
    root,
    configFile: false,
    appType: 'custom',
    logLevel: 'warn',
    // ws: false as well as hmr: false, or Vite still opens its WebSocket
    // server on *:24678, every interface, with nothing to push over it.
    server: { middlewareMode: true, hmr: false, ws: false },
    // Its own dependency cache: pre-bundling React for the console here must
    // never replace the cache of an `npm run dev` running from the same root.
    cacheDir: path.join(root, 'node_modules/.vite-blocks-dev'),
    // No app frontend here: skip scanning index.html for browser dependencies.
    // The console page (/_blocks/) needs React as an ES module, nothing else.
    optimizeDeps: { noDiscovery: true, entries: [], include: ['react', 'react-dom/client', 'react/jsx-dev-runtime'] },
    plugins: [plugin],
  });
  vite.middlewares.use((_req, res) => {
    writeResponse(res, { status: 404, headers: responseHeaders(randomUUID()), cookies: [], body: NOT_FOUND_BODY });
  });
  const http: Server = createHttpServer(vite.middlewares);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, resolve);
  });
  const { port } = http.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const api = plugin.api as BlocksDevApi;
  api.listening(url);
  return {
    url,
    apiUrl: `${url}${API_PATH}`,
    userPool: api.localAuth.pool,
    console: api.console,
    vite,
    async close() {
      await api.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await vite.close();
    },
  };
}
