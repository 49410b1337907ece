/**
 * What the deployed worker function (transports/lambda-worker.ts) delivers
 * to a Block's `aws-runtime` variant: queue messages from an SQS event source
 * mapping, and invocations from an EventBridge Scheduler schedule. A Block
 * says which events are its own; the worker never names a Block kind.
 *
 * This module stays free of AWS SDK and CDK imports: every variant loads it.
 */
import type { SQSRecord } from 'aws-lambda';
import type { ScopedResource } from './scope.js';

/** A Block that consumes an SQS queue through the worker function. */
export interface QueueWorkerBlock extends ScopedResource {
  /** Whether `queueArn` (a record's `eventSourceARN`) is this Block's queue. */
  consumesQueue(queueArn: string): boolean;
  /** Works `records` (all from its queue); resolves to the message ids that failed and must be retried. */
  handleQueueRecords(records: readonly SQSRecord[]): Promise<readonly string[]>;
}

/** The input a Blocks schedule sends the worker: the Block it is for, and when it was due. */
export interface ScheduledInvocation {
  /** `<scope>/<id>` of the Block (its binding key). */
  readonly blocksTarget: string;
  /** ISO time the schedule was due (Scheduler's `<aws.scheduler.scheduled-time>`). */
  readonly scheduledTime: string;
}

/** A Block that an EventBridge Scheduler schedule invokes through the worker function. */
export interface ScheduledWorkerBlock extends ScopedResource {
  handleScheduled(invocation: ScheduledInvocation): Promise<void>;
}

export function isQueueWorkerBlock(resource: ScopedResource): resource is QueueWorkerBlock {
  const candidate = resource as Partial<QueueWorkerBlock>;
  return typeof candidate.consumesQueue === 'function' && typeof candidate.handleQueueRecords === 'function';
}

export function isScheduledWorkerBlock(resource: ScopedResource): resource is ScheduledWorkerBlock {
  return typeof (resource as Partial<ScheduledWorkerBlock>).handleScheduled === 'function';
}

export function isScheduledInvocation(event: unknown): event is ScheduledInvocation {
  if (typeof event !== 'object' || event === null) return false;
  const { blocksTarget, scheduledTime } = event as Record<string, unknown>;
  return typeof blocksTarget === 'string' && typeof scheduledTime === 'string';
}
