import type { Scope, ScopedResource } from '../../core/scope.js';
import type { DeleteOptions, KVItem, KVStoreApi, ListOptions, ListResult, PutOptions } from './types.js';

/**
 * What `new KVStore(scope, id)` is in every runtime: a declaration in a scope
 * (which is how the CDK construct finds it) backed by that runtime's store.
 * Each runtime's KVStore only says how to open its store.
 *
 * The store opens on first use, not at construction: configuration read then
 * (BLOCKS_DATA_DIR locally, BLOCKS_KV_TABLES in Lambda) can be set after the
 * app module is imported, and a misconfiguration fails the call that needs it
 * (a rejection, never a synchronous throw) rather than module load.
 */
export abstract class DeclaredKVStore<T> implements KVStoreApi<T>, ScopedResource {
  readonly kind = 'KVStore';
  readonly scope: Scope;
  readonly id: string;
  #backing?: KVStoreApi<T>;

  constructor(scope: Scope, id: string) {
    this.scope = scope;
    this.id = id;
    scope.register(this);
  }

  /** Called once, on first use. */
  protected abstract open(): KVStoreApi<T>;

  #store(): KVStoreApi<T> {
    this.#backing ??= this.open();
    return this.#backing;
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
