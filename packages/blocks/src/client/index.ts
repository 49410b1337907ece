/**
 * The browser/Node client for a Blocks API: fully typed from the app module,
 * with no code generation for TypeScript.
 *
 *   import type * as App from '../aws-blocks';
 *   const blocks = createBlocksClient<typeof App>({ outputs, middleware: [idToken] });
 *   const page = await blocks.notes.list({ limit: 20 });
 */
import { ApiError } from '../core/errors.js';
import type { BlocksClient, BlocksRequest, CallOptions, ClientOptions, Middleware } from './types.js';

// The same class as on the server: one error, one shape, in both places.
export { ApiError, isApiError } from '../core/errors.js';
export { uploadFile, type PresignedPost, type UploadFileOptions } from './upload.js';
export type * from './types.js';

const settings = Symbol('blocks-kit.clientSettings');

interface Settings {
  readonly url: string;
  readonly options: ClientOptions;
  readonly call: CallOptions;
}

let nextId = 1;

export function createBlocksClient<App>(options: ClientOptions): BlocksClient<App> {
  return makeClient<App>({ url: endpointOf(options), options, call: {} });
}

/** The same client with an AbortSignal and/or extra headers for the calls made through it. */
export function withCallOptions<C extends object>(client: C, call: CallOptions): C {
  const current = (client as { [settings]?: Settings })[settings];
  if (!current) throw new TypeError('withCallOptions expects a client from createBlocksClient');
  return makeClient({ ...current, call: { ...current.call, ...call } }) as C;
}

function endpointOf(options: ClientOptions): string {
  const url = options.url ?? options.outputs?.custom?.blocks_api_url;
  if (typeof url !== 'string' || url.length === 0) {
    throw new TypeError(
      'No Blocks API URL: pass `url`, or `outputs` whose custom.blocks_api_url is set ' +
        '(run the app with `npm run dev`, or deploy with `npm run sandbox` to get amplify_outputs.json).',
    );
  }
  return url;
}

function makeClient<App>(state: Settings): BlocksClient<App> {
  const namespaces = new Map<string, object>();
  return new Proxy(Object.create(null) as object, {
    get(_target, property) {
      if (property === settings) return state;
      // Not thenable: `await client` must not try to call `client.then`.
      if (typeof property !== 'string' || property === 'then') return undefined;
      let namespace = namespaces.get(property);
      if (!namespace) {
        namespace = namespaceProxy(state, property);
        namespaces.set(property, namespace);
      }
      return namespace;
    },
  }) as BlocksClient<App>;
}

function namespaceProxy(state: Settings, exportName: string): object {
  return new Proxy(Object.create(null) as object, {
    get(_target, property) {
      if (typeof property !== 'string' || property === 'then') return undefined;
      return (...args: unknown[]) => call(state, `${exportName}.${property}`, args);
    },
  });
}

async function call(state: Settings, method: string, params: unknown[]): Promise<unknown> {
  const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json' });
  for (const [name, value] of Object.entries(state.call.headers ?? {})) headers.set(name, value);
  const id = nextId++;
  const request: BlocksRequest = {
    url: state.url,
    method,
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    signal: state.call.signal,
  };
  const response = await runMiddleware(state.options.middleware ?? [], request, (final) =>
    (state.options.fetch ?? globalThis.fetch)(final.url, {
      method: 'POST',
      headers: final.headers,
      body: final.body,
      signal: final.signal ?? null,
      credentials: state.options.credentials ?? 'same-origin',
    }),
  );
  return readResult(response);
}

function runMiddleware(
  chain: readonly Middleware[],
  request: BlocksRequest,
  send: (request: BlocksRequest) => Promise<Response>,
): Promise<Response> {
  const step = (index: number, current: BlocksRequest): Promise<Response> => {
    const middleware = chain[index];
    return middleware ? middleware(current, (next) => step(index + 1, next)) : send(current);
  };
  return step(0, request);
}

async function readResult(response: Response): Promise<unknown> {
  let message: unknown;
  try {
    message = await response.json();
  } catch {
    throw unexpected(response.status, 'response is not JSON');
  }
  if (message === null || typeof message !== 'object') throw unexpected(response.status, 'not a JSON-RPC response');
  const { result, error } = message as { result?: unknown; error?: unknown };
  if (error && typeof error === 'object') {
    const { code, message: text, data } = error as { code?: unknown; message?: unknown; data?: unknown };
    const info = (data && typeof data === 'object' ? data : {}) as {
      status?: unknown;
      name?: unknown;
      details?: unknown;
      requestId?: unknown;
    };
    throw new ApiError(
      typeof text === 'string' ? text : `HTTP ${response.status}`,
      typeof info.status === 'number' ? info.status : response.status,
      info.details,
      typeof code === 'number' ? code : 0,
      {
        name: typeof info.name === 'string' ? info.name : 'ApiError',
        ...(typeof info.requestId === 'string' && { requestId: info.requestId }),
      },
    );
  }
  if (!response.ok || !('result' in message)) throw unexpected(response.status, 'not a JSON-RPC response');
  return result;
}

// Gateways and proxies can answer with their own bodies (e.g. a 502 page).
function unexpected(status: number, why: string): ApiError {
  return new ApiError(`Unexpected response from the Blocks API (HTTP ${status}): ${why}`, status, undefined, 0);
}
