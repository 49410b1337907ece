/**
 * AsyncJob under the `cdk` condition: provisions the job's SQS queue and its
 * dead-letter queue (redrive after `retries + 1` receives), both SSL-only
 * and encrypted with SQS-managed keys, and subscribes the Blocks worker to
 * the queue with partial batch responses and at most `concurrency` runs at
 * once. The API function and the worker may send to the queue; only the
 * worker consumes it. Nothing runs here: `enqueue` during synthesis is a
 * mistake worth a clear message.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { CfnQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { CloudBlock, ProvisionContext } from '../../cdk/provision.js';
import type { Scope } from '../../core/scope.js';
import { KVStore } from '../kv-store/index.cdk.js';
import { DeclaredAsyncJob } from './async-job.js';
import { dedupeStoreId } from './dedupe.js';
import type { AsyncJobOptions, EnqueueOptions, EnqueueResult } from './public.js';
import { JOB_QUEUE_ARN_BINDING, JOB_QUEUE_URL_BINDING } from './queue-binding.js';

export type * from './public.js';

export class AsyncJob<T = unknown> extends DeclaredAsyncJob<T> implements CloudBlock {
  constructor(scope: Scope, id: string, options: AsyncJobOptions<T>) {
    super(scope, id, options);
    // Provisions the table the deployed variant keeps dedupe keys in (dedupe.ts).
    new KVStore(scope, dedupeStoreId(id));
  }

  async enqueue(_payload: T, _options?: EnqueueOptions): Promise<EnqueueResult> {
    throw new Error(`AsyncJob "${this.scope.name}/${this.id}" cannot enqueue during CDK synthesis; call it from API methods, not at module load.`);
  }

  provision(context: ProvisionContext): void {
    const { retries, visibilityTimeout, concurrency } = this.settings;
    const worker = context.worker({ timeoutSeconds: visibilityTimeout });
    const deadLetters = new Queue(context.construct, context.logicalId('JobDeadLetters'), {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // SQS's longest: time to look at a failure and redrive it.
      retentionPeriod: Duration.days(14),
      removalPolicy: context.removalPolicy,
    });
    Validations.of(deadLetters).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the job queue.' });
    const queue = new Queue(context.construct, context.logicalId('JobQueue'), {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeout),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: retries + 1 },
      removalPolicy: context.removalPolicy,
    });
    // Lambda requires a queue's visibility timeout to be at least its consumer's timeout, and the
    // worker's is the longest any Block asked for. A run still ends at this job's own
    // visibilityTimeout (the worker enforces it); a failure is retried after the backoff.
    (queue.node.defaultChild as CfnQueue).visibilityTimeout = worker.timeoutSeconds;
    worker.function.addEventSource(
      new SqsEventSource(queue, {
        // One record per invocation: `concurrency` invocations are then exactly `concurrency` runs,
        // and each run gets the whole function timeout.
        batchSize: 1,
        reportBatchItemFailures: true,
        maxConcurrency: concurrency,
      }),
    );
    context.grant(['sqs:SendMessage'], [queue.queueArn]);
    context.bind(JOB_QUEUE_URL_BINDING, queue.queueUrl);
    context.bind(JOB_QUEUE_ARN_BINDING, queue.queueArn);
  }
}
