/**
 * The Node transport: how `npm run dev` (as Vite middleware) and
 * `npm run blocks:dev` serve the Blocks API. Its twin for the deployed API is
 * lambda.ts; both hand the same dispatcher a transport-neutral request and
 * write its response, with the headers and error bodies of rpc/responses.ts.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { createDispatcher, type Dispatcher, type DispatcherOptions, type RpcHttpResponse } from '../rpc/dispatcher.js';
import { ROUTES_PREFIX } from '../core/routes.js';
import { API_PATH } from '../rpc/protocol.js';
import { createRouter, type Router } from '../rpc/router.js';
import { internalErrorResponse, NOT_FOUND_BODY, responseHeaders } from '../rpc/responses.js';
import { HeaderMap } from '../rpc/header-map.js';

/** Node's header object → a HeaderMap (case-insensitive, multi-value joined). */
export function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

/**
 * Reads at most `limit` bytes. Past the limit it stops reading and reports
 * `tooLarge`, so a huge body costs no memory; the stream is paused rather
 * than destroyed so that the 413 response can still be written.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<{ body: Uint8Array; tooLarge: boolean }> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.pause();
    return Promise.resolve({ body: new Uint8Array(), tooLarge: true });
  }
  // A client that vanished before we got here emits nothing more: without this the promise would never settle.
  if (clientWentAway(req)) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.byteLength;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve({ body: new Uint8Array(), tooLarge: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ body: Buffer.concat(chunks), tooLarge: false });
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onClose = (): void => {
      cleanup();
      reject(new Error('aborted'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** What either handler answers: the dispatcher (with cookies) or the router (maybe binary). */
type NodeAnswer = Pick<RpcHttpResponse, 'status' | 'headers'> & { readonly body: string | Uint8Array; readonly cookies?: readonly string[] };

export function writeResponse(res: ServerResponse, response: NodeAnswer, closeConnection = false): void {
  res.statusCode = response.status;
  for (const [name, value] of response.headers) res.setHeader(name, value);
  if (response.cookies !== undefined && response.cookies.length > 0) res.setHeader('set-cookie', [...response.cookies]);
  // After an unread oversized body the connection cannot be reused.
  if (closeConnection) res.setHeader('connection', 'close');
  res.end(response.body);
}

/** The connection closed before the whole request arrived: the client hung up, nothing failed here. */
function clientWentAway(req: IncomingMessage): boolean {
  return req.destroyed && !req.complete;
}

/**
 * Serves one JSON-RPC call from a Node request with the given dispatcher.
 * A client that hangs up mid-body gets nothing (there is no one to answer)
 * and is a debug line, not an error: no response was ever going to fail.
 */
export async function serveRpc(req: IncomingMessage, res: ServerResponse, dispatcher: Dispatcher, observer?: ExchangeObserver): Promise<void> {
  const startedAt = Date.now();
  let read: { body: Uint8Array; tooLarge: boolean };
  try {
    read = await readBody(req, dispatcher.maxBodyBytes);
  } catch (error) {
    if (!clientWentAway(req)) throw error;
    console.debug(`[blocks-kit] request body aborted by the client (${error instanceof Error ? error.message : 'closed'})`);
    return;
  }
  const { body, tooLarge } = read;
  const response = await dispatcher.handle({
    method: req.method ?? 'GET',
    headers: toHeaders(req.headers),
    body,
    bodyTooLarge: tooLarge,
    // The TCP peer: the dev server is not behind a proxy whose headers we could trust.
    clientIp: req.socket.remoteAddress,
  });
  writeResponse(res, response, tooLarge);
  observer?.({
    kind: 'rpc',
    method: req.method ?? 'GET',
    path: API_PATH,
    headers: toHeaders(req.headers),
    requestBody: body,
    status: response.status,
    responseHeaders: response.headers,
    responseBody: response.body,
    startedAt,
    durationMs: Date.now() - startedAt,
  });
}

/** Serves one request for a Block's own route (rpc/router.ts), with the same abort handling as serveRpc. */
export async function serveRoute(req: IncomingMessage, res: ServerResponse, router: Router, observer?: ExchangeObserver): Promise<void> {
  const startedAt = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  let requestBody: Uint8Array | undefined;
  let response;
  try {
    response = await router.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: toHeaders(req.headers),
      clientIp: req.socket.remoteAddress,
      readBody: async (limit) => {
        const read = await readBody(req, limit);
        requestBody = read.body;
        return read;
      },
      stream: () => req,
    });
  } catch (error) {
    if (!clientWentAway(req)) throw error;
    console.debug(`[blocks-kit] request body aborted by the client (${error instanceof Error ? error.message : 'closed'})`);
    return;
  }
  writeResponse(res, response, response.closeConnection === true);
  observer?.({
    kind: 'route',
    method: req.method ?? 'GET',
    path: url.pathname,
    query: url.searchParams,
    headers: toHeaders(req.headers),
    requestBody,
    status: response.status,
    responseHeaders: response.headers,
    responseBody: response.body,
    startedAt,
    durationMs: Date.now() - startedAt,
  });
}

/** One call the Node transport served, as an observer (the local console's request log) sees it once answered. */
export interface ServedExchange {
  readonly kind: 'rpc' | 'route';
  /** The HTTP method. */
  readonly method: string;
  readonly path: string;
  readonly query?: URLSearchParams;
  readonly headers: Headers;
  /** Absent for a streamed route body, which is never buffered. */
  readonly requestBody: Uint8Array | undefined;
  readonly status: number;
  readonly responseHeaders: Headers;
  readonly responseBody: string | Uint8Array;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly durationMs: number;
}

/**
 * Told of every call after its response is written, so it adds nothing to
 * the call's latency. Only the dev server installs one; the Lambda transport
 * has no such hook.
 */
export type ExchangeObserver = (exchange: ServedExchange) => void;

export type AppModuleLoader = () => Promise<Readonly<Record<string, unknown>>>;

export type ConnectMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

interface Handlers {
  readonly dispatcher: Dispatcher;
  readonly router: Router;
}

/**
 * Serves `POST /aws-blocks/api` and the Blocks' own routes under
 * `/aws-blocks/` from the app module the loader returns (any other path under
 * it is a 404). A new module object (after an edit to aws-blocks/) gets new
 * handlers; an unchanged one reuses them. Other paths go to the next
 * middleware untouched.
 */
export interface BlocksApiMiddlewareOptions extends DispatcherOptions {
  /** Sees every served call (see ExchangeObserver). */
  readonly observer?: ExchangeObserver;
}

export function blocksApiMiddleware(load: AppModuleLoader, options: BlocksApiMiddlewareOptions = {}): ConnectMiddleware {
  const { observer } = options;
  const handlers = new WeakMap<object, Handlers>();
  let loadedOnce = false;

  async function handlersFor(): Promise<Handlers> {
    const appModule = await load();
    let current = handlers.get(appModule);
    if (!current) {
      const dispatcher = createDispatcher(appModule, options);
      current = { dispatcher, router: createRouter(appModule, options) };
      handlers.set(appModule, current);
      if (loadedOnce) console.info(`[blocks] app reloaded: ${[...dispatcher.namespaces.keys()].join(', ')}`);
      loadedOnce = true;
    }
    return current;
  }

  return (req, res, next) => {
    const path = pathOf(req);
    if (!path.startsWith(ROUTES_PREFIX)) return next();
    handlersFor().then(
      ({ dispatcher, router }) => {
        if (path === API_PATH) return serveRpc(req, res, dispatcher, observer);
        if (router.has(path)) return serveRoute(req, res, router, observer);
        // The Blocks' own namespace: an unknown path here is a 404, not the app's index.html.
        writeResponse(res, { status: 404, headers: responseHeaders(randomUUID()), body: NOT_FOUND_BODY });
      },
      (error: unknown) => {
        // A syntax or startup error in aws-blocks/: the terminal gets the
        // details, the client a JSON-RPC error it can show.
        const requestId = randomUUID();
        console.error(`[blocks] request ${requestId}: the Blocks app failed to load:`, error);
        const body = internalErrorResponse(null, requestId, 'The Blocks app failed to load; see the dev server terminal');
        writeResponse(res, { status: 500, headers: responseHeaders(requestId), cookies: [], body: JSON.stringify(body) });
      },
    ).catch(next);
  };
}

export function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
