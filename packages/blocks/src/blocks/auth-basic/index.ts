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

export * from './public.js';

export class AuthBasic extends AuthBasicBlock {
  constructor(scope: Scope, id: string, options: AuthBasicOptions = {}) {
    super(scope, id, options, {
      allowInsecureLocalhost: true,
      createStore: (storeScope, storeId) => new KVStore(storeScope, storeId),
      sessionKey: localSessionKey,
    });
  }
}
