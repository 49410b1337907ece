/**
 * The one error hierarchy of the kit. Every failure a Block wants a client to
 * see is an `ApiError`: its `status` is the HTTP status of the response, and
 * the JSON-RPC error code is derived from it (see `rpcCodeForStatus`).
 * Anything else thrown by Block code is treated as a bug: logged with the
 * request id and answered as a generic 500.
 */

/** JSON-RPC 2.0 codes that the protocol itself defines. */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
} as const;

/**
 * 4xx statuses map into the JSON-RPC "server error" range (-32000 - (status - 400)),
 * so 401 → -32001, 403 → -32003, 409 → -32009; 5xx map to InternalError.
 * The HTTP status (also in `error.data.status`) stays the authoritative class.
 */
export function rpcCodeForStatus(status: number): number {
  if (status >= 400 && status < 500) return -32000 - (status - 400);
  return RpcCode.InternalError;
}

function normaliseStatus(status: number): number {
  return Number.isInteger(status) && status >= 400 && status <= 599 ? status : 500;
}

// Brands rather than `instanceof`: the dev server loads the app (and its copy
// of this module) through Vite while the dispatcher runs in Node's own module
// graph, so one error class can exist twice in one process.
const API_ERROR_BRAND = Symbol.for('blocks-kit.ApiError');

/** True for any ApiError, whichever copy of the kit created it. */
export function isApiError(value: unknown): value is ApiError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[API_ERROR_BRAND] === true;
}

export class ApiError extends Error {
  readonly [API_ERROR_BRAND] = true;
  /** HTTP status of the response (400–599; anything else becomes 500). */
  readonly status: number;
  /** JSON-RPC error code sent with the response. */
  readonly code: number;
  /** Optional JSON-serialisable details sent to the client as `error.data.details`. */
  readonly data: unknown;
  /**
   * On the client, for server faults (5xx): quote it when reporting a bug;
   * the server log has the rest. The server sends it from the response's
   * request id, so a Block never sets it.
   */
  readonly requestId: string | undefined;

  /**
   * `received` is for the client, which rebuilds the server's error from the
   * wire: the class name it had there and the request id of a 5xx.
   */
  constructor(message: string, status = 500, data?: unknown, code?: number, received?: { name: string; requestId?: string }) {
    super(message);
    this.name = received?.name ?? new.target.name;
    this.status = normaliseStatus(status);
    this.code = code ?? rpcCodeForStatus(this.status);
    this.data = data;
    this.requestId = received?.requestId;
  }
}

export class BadRequestError extends ApiError {
  constructor(message = 'Bad request', data?: unknown) {
    super(message, 400, data);
  }
}

export class UnauthorizedError extends ApiError {
  constructor(message = 'Unauthorized', data?: unknown) {
    super(message, 401, data);
  }
}

export class ForbiddenError extends ApiError {
  constructor(message = 'Forbidden', data?: unknown) {
    super(message, 403, data);
  }
}

export class NotFoundError extends ApiError {
  constructor(message = 'Not found', data?: unknown) {
    super(message, 404, data);
  }
}

/** A conditional write (`ifNotExists`, `ifVersion`) did not hold. */
export class ConflictError extends ApiError {
  constructor(message = 'Conflict', data?: unknown) {
    super(message, 409, data);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(message = 'Payload too large', data?: unknown) {
    super(message, 413, data);
  }
}

/** A dependency is throttling or timing out; clients should retry after `retryAfterSeconds`. */
export class ServiceUnavailableError extends ApiError {
  readonly retryAfterSeconds: number;
  constructor(message = 'Service temporarily unavailable; retry shortly', retryAfterSeconds = 1, data?: unknown) {
    super(message, 503, data);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Params failed the method's declared schema: 400 / -32602. */
export class InvalidParamsError extends ApiError {
  constructor(message = 'Invalid params', data?: unknown) {
    super(message, 400, data, RpcCode.InvalidParams);
  }
}

/** Errors of the JSON-RPC envelope itself, raised only by the dispatcher. */
export class ParseError extends ApiError {
  constructor(message = 'Parse error') {
    super(message, 400, undefined, RpcCode.ParseError);
  }
}

/** A malformed call: 400, or 405 / 415 when the HTTP method or content type is wrong. */
export class InvalidRequestError extends ApiError {
  constructor(message = 'Invalid request', status = 400) {
    super(message, status, undefined, RpcCode.InvalidRequest);
  }
}

export class MethodNotFoundError extends ApiError {
  constructor(method: string) {
    super(`Method not found: ${method}`, 404, undefined, RpcCode.MethodNotFound);
  }
}

/** A resource id used twice in one scope: a startup error, never a silent overwrite. */
export class DuplicateIdError extends Error {
  constructor(scopeName: string, id: string) {
    super(`Duplicate id "${id}" in scope "${scopeName}": each resource in a scope needs its own id.`);
    this.name = 'DuplicateIdError';
  }
}
