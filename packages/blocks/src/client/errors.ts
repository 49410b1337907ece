/** An error answer from the Blocks API, as the browser sees it. */
export class ApiError extends Error {
  /** HTTP status: 400 bad input, 401 sign-in needed, 403 not allowed, 404, 409 conflict, 413, 5xx. */
  readonly status: number;
  /** JSON-RPC error code. */
  readonly code: number;
  /** What the Block attached (`ApiError.data` on the server), e.g. validation issues. */
  readonly details: unknown;
  /** Only on server errors: quote it when reporting a bug. */
  readonly requestId: string | undefined;

  constructor(init: {
    message: string;
    status: number;
    code: number;
    name?: string;
    details?: unknown;
    requestId?: string;
  }) {
    super(init.message);
    this.name = init.name ?? 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
