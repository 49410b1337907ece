/**
 * The one DynamoDB document client of a Lambda process, shared by every
 * KVStore so connections are reused across stores and invocations. The SDK
 * is loaded when the first store call needs it (core/aws-sdk.ts), so a cold
 * start whose first call touches no store never loads it.
 *
 * Environment:
 * - `AWS_REGION`: set by Lambda.
 * - `BLOCKS_DYNAMODB_ENDPOINT` (optional): another endpoint, e.g. DynamoDB
 *   Local or dynalite for tests; unset in the cloud.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requireAwsSdk } from '../../core/aws-sdk.js';
import { KV_DYNAMODB_ENDPOINT_ENV } from './dynamodb-schema.js';

export type DocumentSdk = typeof import('@aws-sdk/lib-dynamodb');

/** The document client's package (commands included), loaded on first use. */
export const documentSdk = (): DocumentSdk => requireAwsSdk<DocumentSdk>('@aws-sdk/lib-dynamodb');

/**
 * Timeouts sized for the 10 s Lambda: three attempts of at most ~3 s each
 * (connect 1 s + response 2 s) plus backoff still end, as a 503, before the
 * function times out. DynamoDB normally answers in milliseconds.
 */
const CLIENT_LIMITS = {
  maxAttempts: 3,
  requestHandler: {
    connectionTimeout: 1000,
    requestTimeout: 2000,
    // Without this the handler only logs a warning when requestTimeout passes.
    throwOnRequestTimeout: true,
  },
} as const;

let shared: { readonly config: string; readonly client: DynamoDBDocumentClient } | undefined;

function createDocumentClient(env: NodeJS.ProcessEnv = process.env): DynamoDBDocumentClient {
  const endpoint = env[KV_DYNAMODB_ENDPOINT_ENV];
  const { DynamoDBClient } = requireAwsSdk<typeof import('@aws-sdk/client-dynamodb')>('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    ...CLIENT_LIMITS,
    ...(env.AWS_REGION && { region: env.AWS_REGION }),
    ...(endpoint && { endpoint }),
  });
  return documentSdk().DynamoDBDocumentClient.from(client);
}

/**
 * Created on the first store call, so importing the kit costs nothing until
 * a store is called. In Lambda the environment never changes, so this is one client per
 * process; where it does change (a test pointing at another endpoint), the
 * next call gets a client for the new settings instead of a stale one.
 */
export function sharedDocumentClient(env: NodeJS.ProcessEnv = process.env): DynamoDBDocumentClient {
  const config = `${env.AWS_REGION ?? ''} ${env[KV_DYNAMODB_ENDPOINT_ENV] ?? ''}`;
  if (shared?.config !== config) {
    shared?.client.destroy();
    shared = { config, client: createDocumentClient(env) };
  }
  return shared.client;
}
