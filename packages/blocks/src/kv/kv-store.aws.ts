import { DeclaredKVStore } from './declared-store.js';
import { sharedDocumentClient } from './dynamodb-client.js';
import { KV_TABLES_ENV, kvTableKey } from './dynamodb-schema.js';
import { DynamoKVStore } from './dynamodb-store.js';
import type { KVStoreApi } from './types.js';

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
export class KVStore<T = unknown> extends DeclaredKVStore<T> {
  protected open(): KVStoreApi<T> {
    return new DynamoKVStore<T>({
      tableName: tableNameFor(this.scope.name, this.id),
      client: sharedDocumentClient(),
    });
  }
}
