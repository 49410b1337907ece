import { randomUUID } from 'node:crypto';
import type { ApiMethod, ApiNamespace } from '../core/api-namespace.js';
import { readAppModule } from '../core/app-module.js';
import { isApiError, type ApiError, InvalidRequestError, MethodNotFoundError, PayloadTooLargeError } from '../core/errors.js';
import { createRequestContext, type ContextOutput } from './request-context.js';
import { runWithRequestId } from '../core/current-request.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  type RpcErrorData,
  type RpcId,
  type RpcRequest,
  type RpcResponse,
} from './protocol.js';
import { internalErrorResponse, responseHeaders, retryAfterOf } from './responses.js';
import { HeaderMap } from './header-map.js';
import { parseJsonBody } from './request-body.js';

/** A transport-neutral HTTP request: the Node adapter and the Lambda adapter both build one. */
export interface RpcHttpRequest {
  readonly method: string;
  readonly headers: Headers;
  readonly body: Uint8Array;
  /** Set by the transport when it stopped reading past the body limit. */
  readonly bodyTooLarge?: boolean;
  /** The platform's id (e.g. Lambda's) when there is one. */
  readonly requestId?: string;
  /** The caller's address as the transport saw it (see `RequestContext.clientIp`). */
  readonly clientIp?: string;
}

export interface RpcHttpResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Each a separate `Set-Cookie` header; never joined with commas. */
  readonly cookies: readonly string[];
  readonly body: string;
}

export interface Logger {
  error(message: string, ...details: unknown[]): void;
}

export interface DispatcherOptions {
  /** Largest accepted request body in bytes; default 1 MiB. */
  readonly maxBodyBytes?: number;
  readonly logger?: Logger;
}

export interface Dispatcher {
  handle(request: RpcHttpRequest): Promise<RpcHttpResponse>;
  readonly maxBodyBytes: number;
  /** Every callable namespace, by export name. */
  readonly namespaces: ReadonlyMap<string, ApiNamespace>;
}

// Names that must never resolve to a method, even if a factory defines them.
const FORBIDDEN_METHOD_NAMES = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
  'then',
]);

const PROTECTED_RESPONSE_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'set-cookie']);

/**
 * The API is exactly the `ApiNamespace` instances among the app module's
 * exports; `exportName.method` calls an own function property of the object
 * the namespace's factory returns for this request.
 */
export function createDispatcher(
  appModule: Readonly<Record<string, unknown>>,
  options: DispatcherOptions = {},
): Dispatcher {
  const { namespaces } = readAppModule(appModule);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const logger = options.logger ?? console;

  async function handle(request: RpcHttpRequest): Promise<RpcHttpResponse> {
    const requestId = request.requestId ?? randomUUID();
    let id: RpcId | null = null;
    let output: ContextOutput | undefined;
    let methodName = '(unknown)';
    try {
      const call = readCall(request, maxBodyBytes);
      id = call.id;
      methodName = call.method;
      const { fn, methods, contextOutput } = resolveMethod(namespaces, call, requestId, request);
      output = contextOutput;
      // The request id follows the call into whatever it awaits (a Block enqueuing work records it).
      const result = await runWithRequestId(requestId, () => fn.apply(methods, argumentsOf(call.params)));
      return respond(200, { jsonrpc: '2.0', id: call.id, result: result ?? null }, requestId, output);
    } catch (error) {
      if (isApiError(error)) {
        const response = respond(error.status, errorResponse(id, error, requestId), requestId, output);
        const retryAfter = retryAfterOf(error);
        if (retryAfter !== undefined) response.headers.set('retry-after', String(retryAfter));
        return response;
      }
      logger.error(`[blocks] request ${requestId} (${methodName}) failed:`, error);
      return respond(500, internalErrorResponse(id, requestId), requestId, output);
    }
  }

  function respond(
    status: number,
    message: RpcResponse,
    requestId: string,
    output: ContextOutput | undefined,
  ): RpcHttpResponse {
    let body: string;
    try {
      body = JSON.stringify(message);
    } catch (error) {
      // A result that cannot be serialised (BigInt, cycles) is a server bug.
      logger.error(`[blocks] request ${requestId}: result is not JSON-serialisable:`, error);
      status = 500;
      body = JSON.stringify(internalErrorResponse(message.id, requestId));
    }
    const headers = new HeaderMap();
    const cookies: string[] = [];
    if (output) {
      for (const [name, value] of output.responseHeaders) {
        if (!PROTECTED_RESPONSE_HEADERS.has(name)) headers.set(name, value);
      }
      cookies.push(...output.responseHeaders.getSetCookie(), ...output.setCookies);
    }
    // Set last: a method's own headers never replace these.
    for (const [name, value] of responseHeaders(requestId)) headers.set(name, value);
    if (status === 405) headers.set('allow', 'POST');
    return { status, headers, cookies, body };
  }

  return { handle, maxBodyBytes, namespaces };
}

function readCall(request: RpcHttpRequest, maxBodyBytes: number): RpcRequest {
  if (request.method !== 'POST') {
    throw new InvalidRequestError('Invalid request: use POST', 405);
  }
  if (request.bodyTooLarge || request.body.byteLength > maxBodyBytes) {
    throw new PayloadTooLargeError(`Request body exceeds ${maxBodyBytes} bytes`);
  }
  // Requiring JSON also means a cross-site form post cannot reach a method
  // without a CORS preflight, which protects cookie-authenticated calls.
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    throw new InvalidRequestError('Invalid request: Content-Type must be application/json', 415);
  }
  return validateEnvelope(parseJsonBody(request.body));
}

function validateEnvelope(message: unknown): RpcRequest {
  if (Array.isArray(message)) {
    throw new InvalidRequestError('Invalid request: batch requests are not supported; send one call per request');
  }
  if (message === null || typeof message !== 'object') {
    throw new InvalidRequestError('Invalid request: expected a JSON-RPC request object');
  }
  const { jsonrpc, id, method, params } = message as Record<string, unknown>;
  if (jsonrpc !== '2.0') throw new InvalidRequestError('Invalid request: "jsonrpc" must be "2.0"');
  if (!(typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) {
    throw new InvalidRequestError('Invalid request: "id" must be a string or a number');
  }
  if (typeof method !== 'string' || method.length === 0) {
    throw new InvalidRequestError('Invalid request: "method" must be a non-empty string');
  }
  if (params !== undefined && (params === null || typeof params !== 'object')) {
    throw new InvalidRequestError('Invalid request: "params" must be an array or an object');
  }
  return { jsonrpc, id, method, params: params as RpcRequest['params'] };
}

function resolveMethod(
  namespaces: ReadonlyMap<string, ApiNamespace>,
  call: RpcRequest,
  requestId: string,
  request: RpcHttpRequest,
): { fn: ApiMethod; methods: object; contextOutput: ContextOutput } {
  const dot = call.method.indexOf('.');
  const exportName = call.method.slice(0, dot);
  const name = call.method.slice(dot + 1);
  const namespace = dot > 0 ? namespaces.get(exportName) : undefined;
  if (!namespace || FORBIDDEN_METHOD_NAMES.has(name)) throw new MethodNotFoundError(call.method);
  const { context, output } = createRequestContext(requestId, call.method, request.headers, request.clientIp);
  const methods: object = namespace.methodsFor(context);
  const fn: unknown =
    methods !== null && typeof methods === 'object' && Object.hasOwn(methods, name)
      ? (methods as Record<string, unknown>)[name]
      : undefined;
  if (typeof fn !== 'function') throw new MethodNotFoundError(call.method);
  return { fn: fn as ApiMethod, methods, contextOutput: output };
}

function argumentsOf(params: RpcRequest['params']): never[] {
  if (params === undefined) return [];
  return (Array.isArray(params) ? [...params] : [params]) as never[];
}

function errorResponse(id: RpcId | null, error: ApiError, requestId: string): RpcResponse {
  const data: RpcErrorData = {
    status: error.status,
    name: error.name,
    ...(error.status >= 500 && { requestId }),
    ...(error.data !== undefined && { details: error.data }),
  };
  return { jsonrpc: '2.0', id, error: { code: error.code, message: error.message, data } };
}
