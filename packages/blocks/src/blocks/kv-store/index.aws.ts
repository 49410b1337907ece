/**
 * KVStore under the `aws-runtime` condition (inside the Lambda): the same
 * declaration as locally, backed by the DynamoDB table its `cdk` variant
 * created and bound (see index.cdk.ts).
 */
import { readBinding } from '../../core/binding.js';
import { DeclaredKVStore } from './declared-store.js';
import { sharedDocumentClient } from './dynamodb-client.js';
import { KV_TABLE_BINDING } from './dynamodb-schema.js';
import { DynamoKVStore } from './dynamodb-store.js';
import type { KVStoreApi } from './types.js';

export type * from './types.js';

export class KVStore<T = unknown> extends DeclaredKVStore<T> {
  protected open(): KVStoreApi<T> {
    return new DynamoKVStore<T>({ tableName: readBinding(KV_TABLE_BINDING, this), client: () => sharedDocumentClient() });
  }
}
