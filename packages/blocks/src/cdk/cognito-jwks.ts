/**
 * The user pool's signing keys, fetched once per deployment and handed to the
 * Blocks functions in their environment (`COGNITO_JWKS`), so a cold start
 * verifies its first token without a round trip to Cognito or loading
 * `node:https` (auth/deploy-time-jwks.ts reads it; a key outside the set
 * still makes the function fetch, so a rotation between deployments works).
 *
 * One CDK `CustomResourceProvider` per stack (a single Lambda that answers
 * CloudFormation itself), running cognito-jwks-provider/index.js; its role
 * may only write its logs (CDK's AWSLambdaBasicExecutionRole; no inline
 * policy, and cdk-nag raises nothing to acknowledge). The pool id is the resource's property, so a
 * change of pool fetches again.
 */
import { fileURLToPath } from 'node:url';
import { CustomResource, CustomResourceProvider, CustomResourceProviderRuntime, Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

const PROVIDER_CODE = fileURLToPath(new URL('./cognito-jwks-provider', import.meta.url));

/** A token for the compact key-set JSON of `userPoolId`, resolved at deploy time. */
export function deployTimeCognitoJwks(scope: Construct, userPoolId: string): string {
  const provider = CustomResourceProvider.getOrCreateProvider(scope, 'Custom::BlocksCognitoJwks', {
    codeDirectory: PROVIDER_CODE,
    runtime: CustomResourceProviderRuntime.NODEJS_24_X,
    description: 'Blocks: reads the Cognito user pool signing keys (public) at deploy time for the Blocks functions.',
    // The handler gives up after 10 s; the rest is the wrapper's answer to CloudFormation.
    timeout: Duration.seconds(30),
  });
  const keys = new CustomResource(scope, 'CognitoJwks', {
    serviceToken: provider.serviceToken,
    resourceType: 'Custom::BlocksCognitoJwks',
    properties: { UserPoolId: userPoolId },
  });
  return keys.getAttString('Jwks');
}
