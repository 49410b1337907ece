import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDispatcher, type Dispatcher, type DispatcherOptions } from '../rpc/dispatcher.js';
import { serveRpc } from '../rpc/node-adapter.js';
import { API_PATH } from '../rpc/protocol.js';

export type AppModuleLoader = () => Promise<Readonly<Record<string, unknown>>>;

export type ConnectMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Serves `POST /aws-blocks/api` from the app module the loader returns.
 * A new module object (after an edit to aws-blocks/) gets a new dispatcher;
 * an unchanged one reuses its dispatcher.
 */
export function blocksApiMiddleware(load: AppModuleLoader, options: DispatcherOptions = {}): ConnectMiddleware {
  const dispatchers = new WeakMap<object, Dispatcher>();
  let loadedOnce = false;

  async function dispatcherFor(): Promise<Dispatcher> {
    const appModule = await load();
    let dispatcher = dispatchers.get(appModule);
    if (!dispatcher) {
      dispatcher = createDispatcher(appModule, options);
      dispatchers.set(appModule, dispatcher);
      if (loadedOnce) console.info(`[blocks] app reloaded: ${[...dispatcher.namespaces.keys()].join(', ')}`);
      loadedOnce = true;
    }
    return dispatcher;
  }

  return (req, res, next) => {
    if (pathOf(req) !== API_PATH) return next();
    dispatcherFor().then(
      (dispatcher) => serveRpc(req, res, dispatcher),
      (error: unknown) => {
        // A syntax or startup error in aws-blocks/: the terminal gets the
        // details, the client a JSON-RPC error it can show.
        const requestId = randomUUID();
        console.error(`[blocks] request ${requestId}: the Blocks app failed to load:`, error);
        res.statusCode = 500;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(
          JSON.stringify({
            jsonrpc: '2.0',
            id: null,
            error: {
              code: -32603,
              message: `The Blocks app failed to load; see the dev server terminal (request id ${requestId})`,
              data: { status: 500, name: 'InternalError', requestId },
            },
          }),
        );
      },
    ).catch(next);
  };
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
