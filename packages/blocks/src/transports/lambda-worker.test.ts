/**
 * The deployed worker with real event shapes: SQS event source batches
 * (records routed by queue ARN to the AsyncJob that owns the queue, partial
 * batch failures, retry delay and dead-lettering through message
 * visibility) and EventBridge Scheduler invocations (routed by the Block
 * named in the input). SQS is aws-sdk-client-mock; the Blocks are their
 * `aws-runtime` variants.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncJob } from '../blocks/async-job/index.aws.js';
import { CronJob } from '../blocks/cron-job/index.aws.js';
import { Scope } from '../core/scope.js';
import { createLambdaWorker } from './lambda-worker.js';

const sqs = mockClient(SQSClient);
const ACCOUNT = '123456789012';
const arnOf = (name: string): string => `arn:aws:sqs:eu-west-1:${ACCOUNT}:${name}`;
const urlOf = (name: string): string => `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/${name}`;

const runs: { job: string; payload: unknown; attempt: number; requestId?: string }[] = [];
const lines: Record<string, unknown>[] = [];
const scope = new Scope('worker-test');
const exports = new AsyncJob<{ fail?: boolean; n: number }>(scope, 'exports', {
  retries: 2,
  handler: async (payload, { attempt, requestId }) => {
    runs.push({ job: 'exports', payload, attempt, ...(requestId !== undefined && { requestId }) });
    if (payload.fail) throw new Error(`export ${payload.n} failed`);
  },
});
const thumbs = new AsyncJob<string>(scope, 'thumbs', {
  handler: async (payload, { attempt }) => {
    runs.push({ job: 'thumbs', payload, attempt });
  },
});
const scheduled: string[] = [];
const prune = new CronJob(scope, 'prune', {
  schedule: 'cron(0 3 * * ? *)',
  handler: async ({ scheduledTime }) => {
    scheduled.push(scheduledTime);
    if (scheduledTime.startsWith('1999')) throw new Error('prune failed');
  },
});
for (const block of [exports, thumbs, prune]) block.logSink = (_level, line) => lines.push(JSON.parse(line) as Record<string, unknown>);
const worker = createLambdaWorker({ scope });

beforeEach(() => {
  sqs.reset();
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  runs.length = 0;
  lines.length = 0;
  scheduled.length = 0;
  vi.stubEnv('BLOCKS_JOB_QUEUE_URLS', JSON.stringify({ 'worker-test/exports': urlOf('exports-q'), 'worker-test/thumbs': urlOf('thumbs-q') }));
  vi.stubEnv('BLOCKS_JOB_QUEUE_ARNS', JSON.stringify({ 'worker-test/exports': arnOf('exports-q'), 'worker-test/thumbs': arnOf('thumbs-q') }));
});
afterEach(() => {
  vi.unstubAllEnvs();
});

let messageCount = 0;
/** An SQS record as Lambda's event source mapping delivers it. */
function record(queue: string, body: unknown, receiveCount = 1): SQSRecord {
  const messageId = `0c1a2b3c-0000-4000-8000-${String(++messageCount).padStart(12, '0')}`;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    messageId,
    receiptHandle: `AQEB${messageId}==`,
    body: text,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1764486000000',
      SenderId: 'AROAEXAMPLE:blocks-handler',
      ApproximateFirstReceiveTimestamp: '1764486000100',
    },
    messageAttributes: {},
    md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    eventSource: 'aws:sqs',
    eventSourceARN: arnOf(queue),
    awsRegion: 'eu-west-1',
  };
}

const envelope = (jobId: string, payload: unknown, requestId?: string) => ({ v: 1, jobId, ...(requestId && { requestId }), payload });

describe('createLambdaWorker: SQS batches', () => {
  it('routes records to the job owning their queue and reports only the failed ones', async () => {
    const ok = record('exports-q', envelope('job-1', { n: 1 }, 'req-9'));
    const bad = record('exports-q', envelope('job-2', { n: 2, fail: true }));
    const thumb = record('thumbs-q', envelope('job-3', 'cat.png'));
    const event: SQSEvent = { Records: [ok, bad, thumb] };

    const response = await worker(event);

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(runs).toEqual(
      expect.arrayContaining([
        { job: 'exports', payload: { n: 1 }, attempt: 1, requestId: 'req-9' },
        { job: 'exports', payload: { n: 2, fail: true }, attempt: 1 },
        { job: 'thumbs', payload: 'cat.png', attempt: 1 },
      ]),
    );
    // The failed message waits out the first backoff step before its retry.
    const delays = sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input);
    expect(delays).toEqual([{ QueueUrl: urlOf('exports-q'), ReceiptHandle: bad.receiptHandle, VisibilityTimeout: 2 }]);
    const outcomes = lines.filter((line) => line.msg === 'job run').map((line) => [line.jobId, line.outcome]);
    expect(outcomes).toEqual(expect.arrayContaining([['job-1', 'succeeded'], ['job-2', 'failed'], ['job-3', 'succeeded']]));
    expect(lines.find((line) => line.jobId === 'job-1')).toMatchObject({ requestId: 'req-9', block: 'worker-test/exports', attempt: 1 });
  });

  it('takes the attempt from ApproximateReceiveCount and lets the last failure go to the dead-letter queue at once', async () => {
    const last = record('exports-q', envelope('job-4', { n: 4, fail: true }), 3);
    expect(await worker({ Records: [last] })).toEqual({ batchItemFailures: [{ itemIdentifier: last.messageId }] });
    expect(runs).toEqual([{ job: 'exports', payload: { n: 4, fail: true }, attempt: 3 }]);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand)[0]?.args[0].input.VisibilityTimeout).toBe(0);
    expect(lines.find((line) => line.msg === 'job run')).toMatchObject({ outcome: 'dead-lettered', level: 'error', error: 'export 4 failed' });
  });

  it('fails records of a queue no Block consumes, and bodies that are not jobs, without running a handler', async () => {
    const stranger = record('someone-elses-q', envelope('job-5', { n: 5 }));
    const garbage = record('exports-q', 'not json at all');
    const foreign = record('exports-q', { hello: 'world' });
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await worker({ Records: [stranger, garbage, foreign] });
    error.mockRestore();
    expect(response?.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual([stranger.messageId, garbage.messageId, foreign.messageId].sort());
    expect(runs).toEqual([]);
  });

  it('still answers when the visibility change fails (the retry then comes after the visibility timeout)', async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(new Error('throttled'));
    const bad = record('exports-q', envelope('job-6', { n: 6, fail: true }));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await worker({ Records: [bad] })).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    error.mockRestore();
  });

  it('retries the whole batch of a job whose queue binding is missing', async () => {
    vi.stubEnv('BLOCKS_JOB_QUEUE_ARNS', '');
    const one = record('exports-q', envelope('job-7', { n: 7 }));
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await worker({ Records: [one] });
    error.mockRestore();
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: one.messageId }] });
    expect(runs).toEqual([]);
  });
});

describe('createLambdaWorker: EventBridge Scheduler invocations', () => {
  it('runs the CronJob the input names with the scheduled time', async () => {
    await worker({ blocksTarget: 'worker-test/prune', scheduledTime: '2026-12-01T03:00:00Z' });
    expect(scheduled).toEqual(['2026-12-01T03:00:00Z']);
    expect(lines.find((line) => line.msg === 'schedule run')).toMatchObject({ block: 'worker-test/prune', outcome: 'succeeded' });
  });

  it('rejects when the run fails (Lambda retries the asynchronous invocation) or the target is unknown', async () => {
    await expect(worker({ blocksTarget: 'worker-test/prune', scheduledTime: '1999-01-01T03:00:00Z' })).rejects.toThrow('prune failed');
    await expect(worker({ blocksTarget: 'worker-test/exports', scheduledTime: '2026-12-01T03:00:00Z' })).rejects.toThrow(/No scheduled Block "worker-test\/exports"/);
    await expect(worker({ hello: 'world' })).rejects.toThrow(/cannot handle this event: an object with keys hello/);
  });
});
