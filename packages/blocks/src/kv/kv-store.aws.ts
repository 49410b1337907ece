import type { Scope, ScopedResource } from '../core/scope.js';
import { sharedDocumentClient } from './dynamodb-client.js';
import { KV_TABLES_ENV, kvTableKey } from './dynamodb-schema.js';
import { DynamoKVStore } from './dynamodb-store.js';
import type { DeleteOptions, KVItem, KVStoreApi, ListOptions, ListResult, PutOptions } from './types.js';

/**
 * The table of store `<scopeName>/<id>`, from the JSON map in
 * BLOCKS_KV_TABLES that the CDK construct sets on the function.
 */
export function tableNameFor(scopeName: string, id: string, env: NodeJS.ProcessEnv = process.env): string {
  const mappingKey = kvTableKey(scopeName, id);
  const raw = env[KV_TABLES_ENV];
  const missing = (why: string): Error =>
    new Error(
      `KVStore "${mappingKey}" has no DynamoDB table: ${why}. ` +
        `${KV_TABLES_ENV} must be JSON mapping "<scope>/<id>" to a table name; ` +
        'the Blocks backend sets it for every store it discovers in the app module.',
    );
  if (raw === undefined || raw === '') throw missing(`${KV_TABLES_ENV} is not set`);
  let tables: unknown;
  try {
    tables = JSON.parse(raw);
  } catch {
    throw missing(`${KV_TABLES_ENV} is not valid JSON`);
  }
  if (typeof tables !== 'object' || tables === null || Array.isArray(tables)) {
    throw missing(`${KV_TABLES_ENV} is not a JSON object`);
  }
  const name: unknown = Object.hasOwn(tables, mappingKey) ? (tables as Record<string, unknown>)[mappingKey] : undefined;
  if (typeof name !== 'string' || name === '') throw missing(`${KV_TABLES_ENV} has no entry for it`);
  return name;
}

/**
 * KVStore under the `aws-runtime` condition (inside the Lambda): the same
 * declaration as locally, backed by the store's DynamoDB table.
 */
export class KVStore<T = unknown> implements KVStoreApi<T>, ScopedResource {
  readonly kind = 'KVStore';
  readonly scope: Scope;
  readonly id: string;
  #dynamo?: DynamoKVStore<T>;

  constructor(scope: Scope, id: string) {
    this.scope = scope;
    this.id = id;
    scope.register(this);
  }

  // Resolved on first use, not at module load: a missing table then fails
  // the call that needs it (a logged 500) instead of every cold start. The
  // methods are async so that failure is a rejection, never a synchronous throw.
  #store(): DynamoKVStore<T> {
    this.#dynamo ??= new DynamoKVStore<T>({
      tableName: tableNameFor(this.scope.name, this.id),
      client: sharedDocumentClient(),
    });
    return this.#dynamo;
  }

  async get(key: string): Promise<KVItem<T> | undefined> {
    return this.#store().get(key);
  }

  async put(key: string, value: T, options?: PutOptions): Promise<KVItem<T>> {
    return this.#store().put(key, value, options);
  }

  async delete(key: string, options?: DeleteOptions): Promise<boolean> {
    return this.#store().delete(key, options);
  }

  async list(options?: ListOptions): Promise<ListResult<T>> {
    return this.#store().list(options);
  }
}
