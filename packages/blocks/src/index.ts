/**
 * blocks-kit, local implementation (the default export condition): KV stores
 * are files under .blocks-data/, so the app runs with no AWS account.
 * The `cdk` condition selects index.cdk.ts (synthesis); `aws-runtime`
 * selects the Lambda implementation. Application code imports the same names.
 */
import { installAuthBasicRuntime } from './auth-basic/runtime.js';
import { localSessionKey } from './auth-basic/session-key.js';
import { KVStore } from './kv/kv-store.js';

export * from './common.js';
export { KVStore };

// AuthBasic keeps its data in local KVStores and its key in the data dir.
installAuthBasicRuntime({
  name: 'local',
  allowInsecureLocalhost: true,
  createStore: (scope, id) => new KVStore(scope, id),
  sessionKey: localSessionKey,
});
