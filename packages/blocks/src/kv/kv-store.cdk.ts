import type { Scope, ScopedResource } from '../core/scope.js';
import type { KVItem, KVStoreApi, ListResult } from './types.js';

/**
 * KVStore under the `cdk` condition: a declaration that createBlocksBackend
 * turns into a DynamoDB table. It holds no data, so calling it during
 * synthesis is a mistake worth a clear message.
 */
export class KVStore<T = unknown> implements KVStoreApi<T>, ScopedResource {
  readonly kind = 'KVStore';
  readonly scope: Scope;
  readonly id: string;

  constructor(scope: Scope, id: string) {
    this.scope = scope;
    this.id = id;
    scope.register(this);
  }

  #unavailable(): never {
    throw new Error(
      `KVStore "${this.scope.name}/${this.id}" has no data during CDK synthesis; call it from API methods, not at module load.`,
    );
  }

  get(): Promise<KVItem<T> | undefined> {
    return this.#unavailable();
  }
  put(): Promise<KVItem<T>> {
    return this.#unavailable();
  }
  delete(): Promise<boolean> {
    return this.#unavailable();
  }
  list(): Promise<ListResult<T>> {
    return this.#unavailable();
  }
}
