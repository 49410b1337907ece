/**
 * How the deployed function finds each AuthBasic's secret: the CDK construct
 * sets BLOCKS_AUTH_BASIC_SECRETS to JSON mapping "<scope>/<id>" to the ARN of
 * a Secrets Manager secret it generated, and grants GetSecretValue on exactly
 * those secrets. The secret's value never appears in the template or bundle.
 */
export const AUTH_BASIC_SECRETS_ENV = 'BLOCKS_AUTH_BASIC_SECRETS';

export const authBasicKey = (scopeName: string, id: string): string => `${scopeName}/${id}`;

/** The secret id (ARN) for one AuthBasic, or a message-bearing error saying what is missing. */
export function secretIdFor(scopeName: string, id: string, env: NodeJS.ProcessEnv = process.env): string {
  const mappingKey = authBasicKey(scopeName, id);
  const missing = (why: string): Error =>
    new Error(
      `AuthBasic "${mappingKey}" has no session key secret: ${why}. ${AUTH_BASIC_SECRETS_ENV} must be JSON mapping ` +
        '"<scope>/<id>" to a Secrets Manager secret ARN; the Blocks backend sets it for every AuthBasic it discovers.',
    );
  const raw = env[AUTH_BASIC_SECRETS_ENV];
  if (raw === undefined || raw === '') throw missing(`${AUTH_BASIC_SECRETS_ENV} is not set`);
  let secrets: unknown;
  try {
    secrets = JSON.parse(raw);
  } catch {
    throw missing(`${AUTH_BASIC_SECRETS_ENV} is not valid JSON`);
  }
  if (typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) {
    throw missing(`${AUTH_BASIC_SECRETS_ENV} is not a JSON object`);
  }
  const secretId: unknown = Object.hasOwn(secrets, mappingKey) ? (secrets as Record<string, unknown>)[mappingKey] : undefined;
  if (typeof secretId !== 'string' || secretId === '') throw missing(`${AUTH_BASIC_SECRETS_ENV} has no entry for it`);
  return secretId;
}
