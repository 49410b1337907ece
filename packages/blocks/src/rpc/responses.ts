/**
 * The HTTP side of every answer the Blocks API gives, whichever transport
 * carries it (the Node server in development, Lambda when deployed): the
 * headers every response has and the JSON-RPC body of a server fault, so the
 * two transports cannot drift apart.
 */
import { RpcCode, type ApiError } from '../core/errors.js';
import { API_PATH, type RpcId, type RpcResponse } from './protocol.js';
import { HeaderMap } from './header-map.js';

/** JSON, never cached, never sniffed, and traceable to its log line by `x-request-id`. */
export function responseHeaders(requestId: string): Headers {
  return new HeaderMap({
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-request-id': requestId,
  });
}

/**
 * A 500's body: only the request id, which finds the details in the server
 * log; never the error itself.
 */
export function internalErrorResponse(id: RpcId | null, requestId: string, message = 'Internal error'): RpcResponse {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: RpcCode.InternalError,
      message: `${message} (request id ${requestId})`,
      data: { status: 500, name: 'InternalError', requestId },
    },
  };
}

/** The answer to any path but the API's. */
export const NOT_FOUND_BODY = JSON.stringify({ message: `Not found. The Blocks API is POST ${API_PATH}` });

/**
 * Seconds a client should wait: what the error says (a 429 lockout, a 503
 * from a throttled dependency), and for any 503 that says nothing, one
 * second, so every 503 tells clients to retry rather than give up.
 */
export function retryAfterOf(error: ApiError): number | undefined {
  const seconds = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  return error.status === 503 ? 1 : undefined;
}
