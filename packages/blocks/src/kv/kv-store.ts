import path from 'node:path';
import { localDataDir } from '../local/data-dir.js';
import { DeclaredKVStore } from './declared-store.js';
import { LocalKVStore } from './local-store.js';
import type { KVStoreApi } from './types.js';

/**
 * A key-value store declared in a scope. Locally its data lives in
 * `<data dir>/kv/<scope name>/<id>/`, one file per key; deployed, the same
 * declaration becomes a DynamoDB table. Both meet the `KVStoreApi` contract.
 *
 * @example
 * const todos = new KVStore<Todo>(scope, 'todos');
 * await todos.put(`${userId}/${todo.id}`, todo, { ifNotExists: true });
 */
export class KVStore<T = unknown> extends DeclaredKVStore<T> {
  protected open(): KVStoreApi<T> {
    return new LocalKVStore<T>(path.join(localDataDir(), 'kv', this.scope.name, this.id));
  }
}
