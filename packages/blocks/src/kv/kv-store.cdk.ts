import { DeclaredKVStore } from './declared-store.js';
import type { KVStoreApi } from './types.js';

/**
 * KVStore under the `cdk` condition: a declaration that createBlocksBackend
 * turns into a DynamoDB table. It holds no data, so calling it during
 * synthesis is a mistake worth a clear message.
 */
export class KVStore<T = unknown> extends DeclaredKVStore<T> {
  protected open(): KVStoreApi<T> {
    throw new Error(
      `KVStore "${this.scope.name}/${this.id}" has no data during CDK synthesis; call it from API methods, not at module load.`,
    );
  }
}
