/** Under the `cdk` condition there is no key to read: the secret is only created by the deployment. */
import type { Scope } from '../core/scope.js';
import type { SessionKeySource } from './runtime.js';

export function synthesisSessionKey(scope: Scope, id: string): SessionKeySource {
  return () =>
    Promise.reject(
      new Error(`AuthBasic "${scope.name}/${id}" has no session key during CDK synthesis; use it from API methods, not at module load.`),
    );
}
