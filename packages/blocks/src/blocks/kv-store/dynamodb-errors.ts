/**
 * Turns AWS SDK failures into the kit's errors, so a Block sees the same
 * error classes from DynamoDB as from the local store. The SDK has already
 * retried what it considers transient before any of these reach us.
 */
import { PayloadTooLargeError, ServiceUnavailableError } from '../../core/errors.js';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'Throttling',
  'TooManyRequestsException',
]);

const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Node socket errors that mean "no answer in time", whatever the error's name. */
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

export function isConditionFailed(error: unknown): boolean {
  return shape(error).name === 'ConditionalCheckFailedException';
}

function isUnavailable(error: SdkErrorShape): boolean {
  if (typeof error.name === 'string' && (THROTTLING.has(error.name) || TIMEOUTS.has(error.name))) return true;
  if (typeof error.code === 'string' && TIMEOUT_CODES.has(error.code)) return true;
  const status = error.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

function isItemTooLarge(error: SdkErrorShape): boolean {
  // DynamoDB says "Item size has exceeded…" (PutItem) or "Item size to update has exceeded…" (UpdateItem).
  return (
    error.name === 'ValidationException' &&
    typeof error.message === 'string' &&
    /item size.*exceeded/i.test(error.message)
  );
}

/**
 * The kit error for an SDK failure, or the failure itself when it is not one
 * a client can act on (then the dispatcher answers 500 with a request id).
 * `what` names the operation for the message, e.g. 'put'.
 */
export function mapDynamoError(error: unknown, what: string): unknown {
  const sdk = shape(error);
  if (isUnavailable(sdk)) {
    const mapped = new ServiceUnavailableError(`KVStore ${what} is temporarily unavailable; retry shortly.`, 1);
    // Kept for server-side logs; the client only sees the message above.
    mapped.cause = error;
    return mapped;
  }
  if (isItemTooLarge(sdk)) {
    const mapped = new PayloadTooLargeError('Item too large for DynamoDB (400 KB per item, key included).');
    mapped.cause = error;
    return mapped;
  }
  return error;
}
