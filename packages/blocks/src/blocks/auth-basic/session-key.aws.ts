/**
 * The deployed session key: the Secrets Manager secret the CDK construct
 * generated for this AuthBasic, fetched once per cold start (the caller
 * caches it). The SDK client is loaded on first use, so functions without
 * AuthBasic never pay for it; the Lambda runtime provides the package.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { requireAwsSdk } from '../../core/aws-sdk.js';
import { readBinding } from '../../core/binding.js';
import type { Scope } from '../../core/scope.js';
import type { SessionKeySource } from './runtime.js';
import { AUTH_BASIC_KEY_BINDING } from './secret-binding.js';

/** Resolves to a secret's string value. */
export type SecretReader = (secretId: string) => Promise<string>;

let client: SecretsManagerClient | undefined;

const readFromSecretsManager: SecretReader = async (secretId) => {
  const { GetSecretValueCommand, SecretsManagerClient } =
    requireAwsSdk<typeof import('@aws-sdk/client-secrets-manager')>('@aws-sdk/client-secrets-manager');
  // Sized like the DynamoDB client: three quick attempts end well inside the 10 s Lambda.
  client ??= new SecretsManagerClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
    ...(process.env.AWS_REGION && { region: process.env.AWS_REGION }),
  });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  if (SecretString === undefined || SecretString === '') throw new Error(`Secret ${secretId} has no string value.`);
  return SecretString;
};

export function secretsManagerSessionKey(
  scope: Scope,
  id: string,
  read: SecretReader = readFromSecretsManager,
  env: NodeJS.ProcessEnv = process.env,
): SessionKeySource {
  return async () => Buffer.from(await read(readBinding(AUTH_BASIC_KEY_BINDING, { scope, id }, env)), 'utf8');
}
