import type { Dispatcher } from '../rpc/dispatcher.js';
import type { RpcErrorObject } from '../rpc/protocol.js';

export interface CallOutcome<T = unknown> {
  readonly status: number;
  readonly result?: T;
  readonly error?: RpcErrorObject;
  readonly cookies: readonly string[];
}

let nextId = 1;

/** One JSON-RPC call through a dispatcher, the way an HTTP client would make it. */
export async function callRpc<T = unknown>(
  dispatcher: Dispatcher,
  method: string,
  params?: unknown,
  headers: Record<string, string> = {},
): Promise<CallOutcome<T>> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, ...(params !== undefined && { params }) });
  const response = await dispatcher.handle({
    method: 'POST',
    headers: new Headers({ 'content-type': 'application/json', ...headers }),
    body: new TextEncoder().encode(body),
  });
  const message = JSON.parse(response.body) as { result?: T; error?: RpcErrorObject };
  return { status: response.status, ...message, cookies: response.cookies };
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
