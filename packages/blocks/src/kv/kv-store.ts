import path from 'node:path';
import type { Scope, ScopedResource } from '../core/scope.js';
import { localDataDir } from '../local/data-dir.js';
import { LocalKVStore } from './local-store.js';
import type { DeleteOptions, KVItem, KVStoreApi, ListOptions, ListResult, PutOptions } from './types.js';

/**
 * A key-value store declared in a scope. Locally its data lives in
 * `<data dir>/kv/<scope name>/<id>/`, one file per key; deployed, the same
 * declaration becomes a DynamoDB table. Both meet the `KVStoreApi` contract.
 *
 * @example
 * const todos = new KVStore<Todo>(scope, 'todos');
 * await todos.put(`user#${userId}#${todo.id}`, todo, { ifNotExists: true });
 */
export class KVStore<T = unknown> implements KVStoreApi<T>, ScopedResource {
  readonly kind = 'KVStore';
  readonly scope: Scope;
  readonly id: string;
  #local?: LocalKVStore<T>;

  constructor(scope: Scope, id: string) {
    this.scope = scope;
    this.id = id;
    scope.register(this);
  }

  // Opened on first use, not in the constructor: the data dir (BLOCKS_DATA_DIR)
  // is read then, so tests can point it elsewhere after importing the app.
  #store(): LocalKVStore<T> {
    this.#local ??= new LocalKVStore<T>(path.join(localDataDir(), 'kv', this.scope.name, this.id));
    return this.#local;
  }

  get(key: string): Promise<KVItem<T> | undefined> {
    return this.#store().get(key);
  }

  put(key: string, value: T, options?: PutOptions): Promise<KVItem<T>> {
    return this.#store().put(key, value, options);
  }

  delete(key: string, options?: DeleteOptions): Promise<boolean> {
    return this.#store().delete(key, options);
  }

  list(options?: ListOptions): Promise<ListResult<T>> {
    return this.#store().list(options);
  }
}
