/**
 * The Lambda worker transport: the second handler of the Blocks bundle
 * (cdk/lambda-entry.ts exports it as `worker`). It receives SQS event source
 * batches and EventBridge Scheduler invocations and hands each to the
 * declared Block that owns it (core/worker-block.ts), never naming a kind.
 *
 * SQS: records are grouped by queue (`eventSourceARN`); the answer is a
 * partial batch response, so only the failed records return to their queue
 * (the event source mapping sets ReportBatchItemFailures). A record of a
 * queue no Block claims fails rather than being dropped.
 *
 * @example
 * import * as app from './app.js';
 * export const worker = createLambdaWorker(app);
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { readAppModule } from '../core/app-module.js';
import { bindingKey } from '../core/binding.js';
import type { ScopedResource } from '../core/scope.js';
import {
  isQueueWorkerBlock,
  isScheduledInvocation,
  isScheduledWorkerBlock,
  type QueueWorkerBlock,
  type ScheduledWorkerBlock,
} from '../core/worker-block.js';

export type LambdaWorker = (event: unknown) => Promise<SQSBatchResponse | void>;

function isSqsEvent(event: unknown): event is SQSEvent {
  if (typeof event !== 'object' || event === null) return false;
  const records = (event as { Records?: unknown }).Records;
  return Array.isArray(records) && records.every((record) => (record as Partial<SQSRecord>)?.eventSource === 'aws:sqs');
}

function describeEvent(event: unknown): string {
  if (typeof event !== 'object' || event === null) return typeof event;
  return `an object with keys ${Object.keys(event).slice(0, 8).join(', ') || '(none)'}`;
}

/**
 * A worker handler for the app module's Blocks. The module is read once per
 * cold start; nothing else runs until the first event.
 */
export function createLambdaWorker(appModule: Readonly<Record<string, unknown>>): LambdaWorker {
  let resources: readonly ScopedResource[] | undefined;
  const declared = (): readonly ScopedResource[] => (resources ??= readAppModule(appModule).resources);

  async function handleSqs(event: SQSEvent): Promise<SQSBatchResponse> {
    const consumers = declared().filter(isQueueWorkerBlock);
    const byQueue = new Map<string, SQSRecord[]>();
    for (const record of event.Records) {
      const group = byQueue.get(record.eventSourceARN) ?? [];
      group.push(record);
      byQueue.set(record.eventSourceARN, group);
    }
    const failed: string[] = [];
    await Promise.all(
      [...byQueue].map(async ([queueArn, records]) => {
        try {
          const owner: QueueWorkerBlock | undefined = consumers.find((block) => block.consumesQueue(queueArn));
          if (owner === undefined) {
            console.error(JSON.stringify({ level: 'error', msg: 'no Block consumes this queue', queueArn, records: records.length }));
            failed.push(...records.map((record) => record.messageId));
            return;
          }
          failed.push(...(await owner.handleQueueRecords(records)));
        } catch (error) {
          // A failure outside any run (a missing binding): every record of the queue goes back for a retry.
          console.error(JSON.stringify({ level: 'error', msg: 'queue records failed', queueArn, error: String(error) }));
          failed.push(...records.map((record) => record.messageId));
        }
      }),
    );
    return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
  }

  return async (event) => {
    if (isSqsEvent(event)) return handleSqs(event);
    if (isScheduledInvocation(event)) {
      const target: ScheduledWorkerBlock | undefined = declared()
        .filter(isScheduledWorkerBlock)
        .find((block) => bindingKey(block) === event.blocksTarget);
      if (target === undefined) throw new Error(`No scheduled Block "${event.blocksTarget}" is declared in this app.`);
      // A failure throws: Lambda's asynchronous invocation retries it and records it.
      await target.handleScheduled(event);
      return;
    }
    throw new Error(`The Blocks worker cannot handle this event: ${describeEvent(event)}.`);
  };
}
