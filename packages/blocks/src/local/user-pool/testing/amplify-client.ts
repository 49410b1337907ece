/**
 * What the integration tests of the unmodified aws-amplify client against a
 * served local pool share: pointing Amplify at it, recording which Cognito
 * operations the client called, and the name of the error a call failed with.
 */
import { Amplify } from 'aws-amplify';
import type { ServedPool } from './harness.js';

/** Appends the Cognito operation of each request `served` receives (`InitiateAuth`, ...) to `calls`. */
export function recordCognitoTargets(served: ServedPool, calls: string[]): void {
  served.server.prependListener('request', (req) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') calls.push(target.replace('AWSCognitoIdentityProviderService.', ''));
  });
}

/** Configures Amplify Auth for the served pool, signing in with `loginWith`. */
export function pointAmplifyAt(served: ServedPool, loginWith: { email?: boolean; phone?: boolean; username?: boolean }): void {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: served.pool.userPoolId,
        userPoolClientId: served.pool.clientId,
        userPoolEndpoint: served.endpoint,
        loginWith,
      },
    },
  });
}

/** The `name` of the error `promise` rejects with; throws if it resolves. */
export async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).name;
  }
  throw new Error('expected the call to fail');
}
