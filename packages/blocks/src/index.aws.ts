/**
 * blocks-kit under the `aws-runtime` condition (the deployed Lambda): the
 * same names as the local entry, with KVStore backed by DynamoDB.
 */
import { installAuthBasicRuntime } from './auth-basic/runtime.js';
import { secretsManagerSessionKey } from './auth-basic/session-key.aws.js';
import { KVStore } from './kv/kv-store.aws.js';

export * from './common.js';
export { KVStore };

// AuthBasic keeps its data in DynamoDB and its key in Secrets Manager; cookies are always Secure.
installAuthBasicRuntime({
  name: 'aws-runtime',
  allowInsecureLocalhost: false,
  createStore: (scope, id) => new KVStore(scope, id),
  sessionKey: (scope, id) => secretsManagerSessionKey(scope, id),
});
