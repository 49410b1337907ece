/**
 * The contract every KVStore implementation meets (local files, DynamoDB).
 * One behavioural test suite runs against each implementation.
 */

export interface KVItem<T> {
  readonly key: string;
  readonly value: T;
  /** Starts at 1 and grows by one on every write; pass it as `ifVersion` for optimistic locking. */
  readonly version: number;
  /** Epoch seconds after which the item no longer exists, when written with `ttlSeconds`. */
  readonly expiresAt?: number;
}

export interface PutOptions {
  /** Fail with `ConflictError` if the key already holds a live item. */
  readonly ifNotExists?: boolean;
  /** Fail with `ConflictError` unless the stored item has exactly this version. */
  readonly ifVersion?: number;
  /** Expire the item this many seconds from now. */
  readonly ttlSeconds?: number;
}

export interface DeleteOptions {
  /** Fail with `ConflictError` unless the stored item has exactly this version. */
  readonly ifVersion?: number;
}

export interface ListOptions {
  /** Only keys starting with this string. Keys sort by UTF-8 bytes, ascending. */
  readonly prefix?: string;
  /** Page size, 1–1000; defaults to 100. */
  readonly limit?: number;
  /** The `cursor` of the previous page. */
  readonly cursor?: string;
}

export interface ListResult<T> {
  readonly items: KVItem<T>[];
  /** Present when more items may follow. */
  readonly cursor?: string;
}

export interface KVStoreApi<T> {
  get(key: string): Promise<KVItem<T> | undefined>;
  put(key: string, value: T, options?: PutOptions): Promise<KVItem<T>>;
  /** Resolves to whether a live item was deleted. */
  delete(key: string, options?: DeleteOptions): Promise<boolean>;
  list(options?: ListOptions): Promise<ListResult<T>>;
}

/**
 * Largest value, as UTF-8 JSON. DynamoDB caps a whole item at 400 KB
 * (key, attribute names and version included), so values stop at 350 KiB to
 * behave the same locally and in the cloud.
 */
export const MAX_VALUE_BYTES = 350 * 1024;
/** DynamoDB's sort-key limit. */
export const MAX_KEY_BYTES = 1024;
export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 1000;
