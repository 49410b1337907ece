/**
 * Reads one SSM parameter for the deployed AppSetting. The SDK client is
 * imported on first use and shared, so a cold start that reads no setting
 * pays nothing for it; the Lambda runtime provides the package. Failures
 * become the kit's errors: throttling and timeouts a 503 the client may
 * retry, anything else a server fault whose message never holds a value.
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { ServiceUnavailableError } from '../../core/errors.js';
import { requireAwsSdk } from '../../core/aws-sdk.js';

export interface ParameterValue {
  readonly value: string;
  /** `String`, `SecureString` or `StringList`. */
  readonly type: string | undefined;
}

/** How long the deployed AppSetting reuses a value it read (or its absence). */
export const SETTING_CACHE_MS = 60_000;

let client: SSMClient | undefined;

const UNAVAILABLE = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
]);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function isUnavailable(error: unknown): boolean {
  const sdk = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  if (typeof sdk.name === 'string' && UNAVAILABLE.has(sdk.name)) return true;
  if (sdk.code === 'ETIMEDOUT' || sdk.code === 'ESOCKETTIMEDOUT') return true;
  const status = sdk.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/** The parameter's value, or undefined when it does not exist (yet). */
export async function readParameter(name: string, withDecryption: boolean): Promise<ParameterValue | undefined> {
  const { GetParameterCommand, SSMClient } = requireAwsSdk<typeof import('@aws-sdk/client-ssm')>('@aws-sdk/client-ssm');
  // Sized like the kit's other clients: three quick attempts end well inside the 10 s Lambda.
  client ??= new SSMClient({
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 2000, throwOnRequestTimeout: true },
    ...(process.env.AWS_REGION && { region: process.env.AWS_REGION }),
  });
  try {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: name, WithDecryption: withDecryption }));
    return Parameter?.Value === undefined ? undefined : { value: Parameter.Value, type: Parameter.Type };
  } catch (error) {
    if ((error as SdkErrorShape).name === 'ParameterNotFound') return undefined;
    if (isUnavailable(error)) {
      const mapped = new ServiceUnavailableError('A setting is temporarily unavailable; retry shortly.', 1);
      // For the server log only; SDK errors carry the parameter name, never its value.
      mapped.cause = error;
      throw mapped;
    }
    throw error;
  }
}

/** Drops the shared client (tests that change the environment between cases). */
export function resetSharedSsmClient(): void {
  client?.destroy();
  client = undefined;
}
