/** JSON-RPC 2.0 message shapes as this API uses them (one call per HTTP request). */

export type RpcId = string | number;

export interface RpcRequest {
  readonly jsonrpc: '2.0';
  readonly id: RpcId;
  /** `exportName.method`, e.g. `notes.create`. */
  readonly method: string;
  /** Positional arguments, or one object passed as the single argument. */
  readonly params?: readonly unknown[] | Readonly<Record<string, unknown>>;
}

export interface RpcErrorData {
  /** HTTP status of the response; the authoritative error class. */
  readonly status: number;
  /** Error class name, e.g. `ConflictError`, `UnauthorizedError`. */
  readonly name: string;
  /** Present on 500s: quote it when reporting a bug; the server log has the rest. */
  readonly requestId?: string;
  /** `ApiError.data` from the Block, or validation issues. */
  readonly details?: unknown;
}

export interface RpcErrorObject {
  readonly code: number;
  readonly message: string;
  readonly data: RpcErrorData;
}

export type RpcResponse =
  | { readonly jsonrpc: '2.0'; readonly id: RpcId; readonly result: unknown }
  | { readonly jsonrpc: '2.0'; readonly id: RpcId | null; readonly error: RpcErrorObject };

/** The path every transport serves the API on. */
export const API_PATH = '/aws-blocks/api';

/** Default request body limit; API Gateway + Lambda caps payloads at 6 MB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
