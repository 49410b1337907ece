/**
 * AsyncJob, `aws-runtime` variant (inside the Lambda bundle): `enqueue`
 * sends an SQS message to the queue index.cdk.ts created; the Blocks worker
 * function (transports/lambda-worker.ts) hands this Block the records of
 * that queue. A failed run is reported as a batch item failure and its
 * message hidden for the backoff delay (ChangeMessageVisibility); SQS moves
 * it to the dead-letter queue once it was received `retries + 1` times.
 *
 * Dedupe keys live in a KVStore declared beside the job (`<id>-dedupe`, a
 * DynamoDB table), written conditionally before the message is sent.
 */
import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import type * as SqsSdk from '@aws-sdk/client-sqs';
import { requireAwsSdk } from '../../core/aws-sdk.js';
import { bindingKey, readBinding } from '../../core/binding.js';
import { logRun } from '../../core/run-log.js';
import { currentRequestId } from '../../core/current-request.js';
import { ConflictError } from '../../core/errors.js';
import type { Scope } from '../../core/scope.js';
import type { QueueWorkerBlock } from '../../core/worker-block.js';
import { KVStore } from '../kv-store/index.aws.js';
import { DeclaredAsyncJob, type RunResult } from './async-job.js';
import { dedupeStoreId, type DedupeRecord } from './dedupe.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { checkEnqueue, DEDUPE_WINDOW_SECONDS, retryDelaySeconds } from './options.js';
import type { AsyncJobOptions, EnqueueOptions, EnqueueResult } from './public.js';
import { JOB_QUEUE_ARN_BINDING, JOB_QUEUE_URL_BINDING } from './queue-binding.js';

export type * from './public.js';

let client: SqsSdk.SQSClient | undefined;

/**
 * Another SQS endpoint, for tests only (like BLOCKS_DYNAMODB_ENDPOINT): the
 * client sends each call to the host of its QueueUrl unless an endpoint is
 * configured on it, so AWS_ENDPOINT_URL_SQS alone does not redirect it.
 */
const SQS_ENDPOINT_ENV = 'BLOCKS_SQS_ENDPOINT';

/** One client per process, created on first use. */
function sqs(): { sdk: typeof SqsSdk; client: SqsSdk.SQSClient } {
  const sdk = requireAwsSdk<typeof SqsSdk>('@aws-sdk/client-sqs');
  const endpoint = process.env[SQS_ENDPOINT_ENV];
  client ??= new sdk.SQSClient(endpoint ? { endpoint } : {});
  return { sdk, client };
}

export class AsyncJob<T = unknown> extends DeclaredAsyncJob<T> implements QueueWorkerBlock {
  readonly #dedupe: KVStore<DedupeRecord>;

  constructor(scope: Scope, id: string, options: AsyncJobOptions<T>) {
    super(scope, id, options);
    this.#dedupe = new KVStore<DedupeRecord>(scope, dedupeStoreId(id));
  }

  async enqueue(payload: T, options?: EnqueueOptions): Promise<EnqueueResult> {
    const checked = checkEnqueue(payload, options);
    const queueUrl = readBinding(JOB_QUEUE_URL_BINDING, this);
    let jobId: string = randomUUID();
    let dedupeVersion: number | undefined;
    if (checked.dedupeKey !== undefined) {
      const claim = await this.#claimDedupe(checked.dedupeKey, jobId);
      if (claim.first !== undefined) return { jobId: claim.first };
      dedupeVersion = claim.version;
      jobId = claim.jobId;
    }
    const { sdk, client } = sqs();
    try {
      await client.send(
        new sdk.SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: encodeEnvelope(jobId, checked.json, currentRequestId()),
          ...(checked.delaySeconds > 0 && { DelaySeconds: checked.delaySeconds }),
        }),
      );
    } catch (error) {
      // Nothing was queued: free the key so a retry of this call is not answered with a job that never ran.
      if (checked.dedupeKey !== undefined) {
        await this.#dedupe.delete(checked.dedupeKey, { ifVersion: dedupeVersion as number }).catch(() => undefined);
      }
      throw error;
    }
    return { jobId };
  }

  /** Takes the key for `jobId`, or returns the job that holds it. */
  async #claimDedupe(key: string, jobId: string): Promise<{ first?: string; jobId: string; version?: number }> {
    // Two rounds at most: a record can expire between the failed conditional put and the read.
    for (let round = 0; round < 2; round++) {
      try {
        const item = await this.#dedupe.put(key, { jobId, at: Date.now() }, { ifNotExists: true, ttlSeconds: DEDUPE_WINDOW_SECONDS });
        return { jobId, version: item.version };
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const first = await this.#dedupe.get(key);
        if (first !== undefined) return { first: first.value.jobId, jobId };
      }
    }
    throw new ConflictError('The dedupe key changed hands twice during this call; retry it.');
  }

  consumesQueue(queueArn: string): boolean {
    return queueArn === readBinding(JOB_QUEUE_ARN_BINDING, this);
  }

  async handleQueueRecords(records: readonly SQSRecord[]): Promise<readonly string[]> {
    const failed: string[] = [];
    // The event source delivers one record at a time (index.cdk.ts); several are worked in turn.
    for (const record of records) {
      if (!(await this.#handleRecord(record))) failed.push(record.messageId);
    }
    return failed;
  }

  async #handleRecord(record: SQSRecord): Promise<boolean> {
    const attempt = Math.max(1, Number.parseInt(record.attributes.ApproximateReceiveCount, 10) || 1);
    const final = attempt >= this.settings.retries + 1;
    const envelope = decodeEnvelope(record.body);
    let result: RunResult;
    if (typeof envelope === 'string') {
      // Not a job of ours (sent by hand?): never handed to the handler; it fails until it is dead-lettered.
      result = { ok: false, error: new Error(`Message ${record.messageId}: ${envelope}`) };
      logRun(
        { msg: 'job run', block: bindingKey(this), durationMs: 0, outcome: final ? 'dead-lettered' : 'failed', fields: { jobId: record.messageId, attempt }, error: result.error },
        this.logSink,
      );
    } else {
      result = await this.runOnce(
        {
          jobId: envelope.jobId,
          attempt,
          payloadJson: JSON.stringify(envelope.payload),
          ...(envelope.requestId !== undefined && { requestId: envelope.requestId }),
        },
        final,
      );
    }
    if (result.ok) return true;
    // Hide the message for the backoff delay; after the last attempt, make it visible at once so
    // SQS moves it to the dead-letter queue now rather than after the visibility timeout.
    const { sdk, client } = sqs();
    try {
      await client.send(
        new sdk.ChangeMessageVisibilityCommand({
          QueueUrl: readBinding(JOB_QUEUE_URL_BINDING, this),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: final ? 0 : retryDelaySeconds(attempt),
        }),
      );
    } catch (error) {
      // The visibility timeout still brings the message back: a retry without backoff, not a loss.
      console.error(JSON.stringify({ level: 'warn', msg: 'could not delay retry', jobId: record.messageId, error: String(error) }));
    }
    return false;
  }
}
