/**
 * KVStore, local variant (the default condition): a key-value store declared
 * in a scope, its data in `<data dir>/kv/<scope name>/<id>/data.mdb` (LMDB,
 * local-store.ts). Deployed, the same declaration is a DynamoDB table (index.cdk.ts,
 * index.aws.ts). Every variant meets the `KVStoreApi` contract.
 *
 * @example
 * const todos = new KVStore<Todo>(scope, 'todos');
 * await todos.put(`${userId}/${todo.id}`, todo, { ifNotExists: true });
 */
import path from 'node:path';
import { localDataDir } from '../../local/data-dir.js';
import { DeclaredKVStore } from './declared-store.js';
import { LocalKVStore } from './local-store.js';
import type { KVStoreApi } from './types.js';
import type { ConsoleBlock, ConsoleSection } from '../../core/console-panel.js';
import { kvStoreConsole } from './console.js';

export type * from './types.js';

export class KVStore<T = unknown> extends DeclaredKVStore<T> implements ConsoleBlock {
  /** Its panel in the local console (`/_blocks/`); local mode only. */
  consoleSection(): ConsoleSection {
    return kvStoreConsole(this as KVStoreApi<unknown>);
  }

  protected open(): KVStoreApi<T> {
    return new LocalKVStore<T>(path.join(localDataDir(), 'kv', this.scope.name, this.id));
  }
}
