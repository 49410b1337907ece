/**
 * Validation of AsyncJob's options and `enqueue` arguments, shared by every
 * variant so local and deployed refuse the same things with the same words.
 * Construction mistakes are programming errors (TypeError at startup);
 * `enqueue` mistakes may come from a client's input, so they are ApiErrors
 * (a 4xx, never a 500).
 */
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.js';
import type { AsyncJobOptions, EnqueueOptions, JobHandler } from './public.js';

/** SQS's largest message body. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** The payload's share of it: the job's envelope (id, request id, dedupe key) takes at most the rest. */
export const MAX_PAYLOAD_BYTES = MAX_MESSAGE_BYTES - 1024;
export const MAX_DELAY_SECONDS = 900;
/** How long a dedupe key holds (SQS FIFO's deduplication interval). */
export const DEDUPE_WINDOW_SECONDS = 300;
const DEDUPE_KEY = /^[A-Za-z0-9_.:/-]{1,128}$/;

export interface JobSettings<T> {
  readonly handler: JobHandler<T>;
  readonly retries: number;
  readonly visibilityTimeout: number;
  readonly concurrency: number;
}

function integerIn(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`AsyncJob ${name} must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
  return value;
}

export function jobSettings<T>(where: string, options: AsyncJobOptions<T>): JobSettings<T> {
  if (typeof options?.handler !== 'function') throw new TypeError(`AsyncJob "${where}" needs a handler function.`);
  return {
    handler: options.handler,
    retries: integerIn(options.retries, `"${where}" retries`, 0, 10, 3),
    visibilityTimeout: integerIn(options.visibilityTimeout, `"${where}" visibilityTimeout`, 1, 900, 30),
    concurrency: integerIn(options.concurrency, `"${where}" concurrency`, 2, 1000, 2),
  };
}

export interface CheckedEnqueue {
  /** The payload as the JSON the handler will parse. */
  readonly json: string;
  readonly delaySeconds: number;
  readonly dedupeKey?: string;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** The payload serialised, and the options checked; throws a 4xx ApiError naming the problem. */
export function checkEnqueue(payload: unknown, options: EnqueueOptions | undefined): CheckedEnqueue {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    throw new BadRequestError(`Job payload cannot be serialised as JSON (${(error as Error).message}).`);
  }
  // undefined, functions and symbols serialise to nothing; a handler would get undefined.
  if (json === undefined) throw new BadRequestError(`Job payload cannot be serialised as JSON: got ${describe(payload)}.`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new PayloadTooLargeError(`Job payload too large: ${bytes} bytes of JSON, the limit is ${MAX_PAYLOAD_BYTES} (an SQS message holds 256 KiB, less 1 KiB for the job's envelope).`, {
      bytes,
      limit: MAX_PAYLOAD_BYTES,
    });
  }
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new BadRequestError(`Invalid enqueue options: expected an object, got ${describe(options)}.`);
  }
  const { delaySeconds = 0, dedupeKey } = options ?? {};
  if (typeof delaySeconds !== 'number' || !Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DELAY_SECONDS) {
    throw new BadRequestError(`Invalid delaySeconds: expected an integer from 0 to ${MAX_DELAY_SECONDS}.`);
  }
  if (dedupeKey !== undefined && (typeof dedupeKey !== 'string' || !DEDUPE_KEY.test(dedupeKey))) {
    throw new BadRequestError('Invalid dedupeKey: expected 1-128 characters of letters, digits and _ . : / -.');
  }
  return { json, delaySeconds, ...(dedupeKey !== undefined && { dedupeKey }) };
}

/**
 * Seconds to wait before retry number `attempt` (the attempt that just
 * failed is `attempt`): 2, 4, 8... capped at 5 minutes.
 */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(300, 2 ** Math.max(1, attempt));
}
