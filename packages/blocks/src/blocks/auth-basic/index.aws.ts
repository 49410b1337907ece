/**
 * AuthBasic under the `aws-runtime` condition: its stores are DynamoDB
 * tables, its key the Secrets Manager secret the `cdk` variant generated,
 * and session cookies are always Secure.
 */
import type { Scope } from '../../core/scope.js';
import { KVStore } from '../kv-store/index.aws.js';
import { AuthBasicBlock } from './auth-basic.js';
import type { AuthBasicOptions } from './options.js';
import { secretsManagerSessionKey } from './session-key.aws.js';

export * from './public.js';

export class AuthBasic extends AuthBasicBlock {
  constructor(scope: Scope, id: string, options: AuthBasicOptions = {}) {
    super(scope, id, options, {
      allowInsecureLocalhost: false,
      createStore: (storeScope, storeId) => new KVStore(storeScope, storeId),
      sessionKey: (keyScope, keyId) => secretsManagerSessionKey(keyScope, keyId),
    });
  }
}
