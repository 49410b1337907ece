/**
 * AuthBasic under the `cdk` condition. Its four stores are KVStore
 * declarations (each provisions its own table); the AuthBasic itself
 * provisions the secret that signs its session cookies. The key is generated
 * at deploy time, so it is never in the bundle, the template or the
 * repository, and only the API function may read it.
 */
import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import type { Scope } from '../../core/scope.js';
import { KVStore } from '../kv-store/index.cdk.js';
import { AuthBasicBlock } from './auth-basic.js';
import type { AuthBasicOptions } from './options.js';
import { AUTH_BASIC_KEY_BINDING } from './secret-binding.js';

export * from './public.js';

export class AuthBasic extends AuthBasicBlock implements CloudBlock {
  constructor(scope: Scope, id: string, options: AuthBasicOptions = {}) {
    super(scope, id, options, {
      allowInsecureLocalhost: false,
      createStore: (storeScope, storeId) => new KVStore(storeScope, storeId),
      sessionKey: (keyScope, keyId) => () =>
        Promise.reject(
          new Error(`AuthBasic "${keyScope.name}/${keyId}" has no session key during CDK synthesis; use it from API methods, not at module load.`),
        ),
    });
  }

  provision(context: ProvisionContext): void {
    const secret = new Secret(context.construct, context.logicalId('AuthBasicKey'), {
      description: `Session signing key of AuthBasic ${this.scope.name}/${this.id} (read by the Blocks API handler only).`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: context.removalPolicy,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Rotating an AuthBasic session key signs every user out; replace the value by hand when a key must change.',
    });
    context.grant(['secretsmanager:GetSecretValue'], [secret.secretArn]);
    context.bind(AUTH_BASIC_KEY_BINDING, secret.secretArn);
  }
}
