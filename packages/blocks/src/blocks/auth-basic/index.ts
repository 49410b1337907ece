/**
 * AuthBasic, local variant (the default condition): its users, sessions,
 * codes and counters are local KVStores, its signing key a 0600 file in the
 * data dir, and plain-http localhost may carry the session cookie.
 */
import type { Scope } from '../../core/scope.js';
import { KVStore } from '../kv-store/index.js';
import { AuthBasicBlock } from './auth-basic.js';
import type { AuthBasicOptions } from './options.js';
import { localSessionKey } from './session-key.js';
import type { ConsoleBlock, ConsoleSection } from '../../core/console-panel.js';
import type { KVStoreApi } from '../kv-store/types.js';
import { authBasicConsole } from './console.js';
import type { UserRecord } from './users.js';

export * from './public.js';

export class AuthBasic extends AuthBasicBlock implements ConsoleBlock {
  readonly #userStore: KVStoreApi<UserRecord>;

  constructor(scope: Scope, id: string, options: AuthBasicOptions = {}) {
    let users: KVStoreApi<UserRecord> | undefined;
    super(scope, id, options, {
      allowInsecureLocalhost: true,
      createStore: <T>(storeScope: Scope, storeId: string): KVStoreApi<T> => {
        const store = new KVStore<T>(storeScope, storeId);
        // The accounts store, kept for the console's users tab.
        if (storeId === `${id}-users`) users = store as KVStoreApi<unknown> as KVStoreApi<UserRecord>;
        return store;
      },
      sessionKey: localSessionKey,
    });
    // A test that brings its own stores brings the users store too.
    this.#userStore = users ?? options.overrides!.stores!.users;
  }

  /** Its users tab in the local console (`/_blocks/`). */
  consoleSection(): ConsoleSection {
    return authBasicConsole(this.#userStore);
  }
}
