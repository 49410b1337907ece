/**
 * blocks-kit under the `cdk` condition (CDK synthesis, e.g. `npm run sandbox`):
 * the same names as the local entry, with KVStore as a table declaration.
 */
import { installAuthBasicRuntime } from './auth-basic/runtime.js';
import { synthesisSessionKey } from './auth-basic/session-key.cdk.js';
import { KVStore } from './kv/kv-store.cdk.js';

export * from './common.js';
export { KVStore };

// AuthBasic's stores become tables and its key a generated secret (see cdk/blocks-backend.ts).
installAuthBasicRuntime({
  name: 'cdk',
  allowInsecureLocalhost: false,
  createStore: (scope, id) => new KVStore(scope, id),
  sessionKey: synthesisSessionKey,
});
