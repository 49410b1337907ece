/**
 * The deployed AsyncJob's `enqueue` against the real @aws-sdk/client-sqs
 * client, its transport replaced by aws-sdk-client-mock: the SendMessage it
 * builds (queue URL from the binding, the job envelope with the enqueuing
 * call's request id, the delay), dedupe keys (the first job's id, one
 * message), and a failed send freeing its dedupe key. (Under vitest the
 * dedupe KVStore is the local one; deployed it is the job's DynamoDB table.)
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runWithRequestId } from '../../core/current-request.js';
import { Scope } from '../../core/scope.js';
import { AsyncJob } from './index.aws.js';
import { MAX_PAYLOAD_BYTES } from './options.js';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/exports-q';
let count = 0;

function declare(): AsyncJob<{ userId: string }> {
  return new AsyncJob<{ userId: string }>(new Scope(`jobs-aws-${++count}`), 'exports', { handler: async () => undefined });
}

beforeEach(async () => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
  vi.stubEnv('BLOCKS_DATA_DIR', await mkdtemp(path.join(tmpdir(), 'jobs-aws-')));
});
afterEach(() => vi.unstubAllEnvs());

function bind(job: AsyncJob<{ userId: string }>): void {
  vi.stubEnv('BLOCKS_JOB_QUEUE_URLS', JSON.stringify({ [`${job.scope.name}/exports`]: QUEUE_URL }));
}

describe('AsyncJob (aws-runtime) enqueue with SQS', () => {
  it('sends one message: the job envelope with the request id, to the bound queue, with the delay', async () => {
    const job = declare();
    bind(job);
    const { jobId } = await runWithRequestId('req-42', () => job.enqueue({ userId: 'u1' }, { delaySeconds: 30 }));
    const [call, ...more] = sqs.commandCalls(SendMessageCommand);
    expect(more).toEqual([]);
    const input = call?.args[0].input;
    expect(input).toMatchObject({ QueueUrl: QUEUE_URL, DelaySeconds: 30 });
    expect(JSON.parse(input?.MessageBody as string)).toEqual({ v: 1, jobId, requestId: 'req-42', payload: { userId: 'u1' } });
  });

  it('answers a repeated dedupe key with the first job id and sends nothing more', async () => {
    const job = declare();
    bind(job);
    const first = await job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' });
    const second = await job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' });
    const other = await job.enqueue({ userId: 'u2' }, { dedupeKey: 'export:u2' });
    expect(second.jobId).toBe(first.jobId);
    expect(other.jobId).not.toBe(first.jobId);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });

  it('frees the dedupe key when the send fails, so a retry of the call enqueues', async () => {
    const job = declare();
    bind(job);
    sqs.on(SendMessageCommand).rejectsOnce(new Error('SQS is down')).resolves({ MessageId: 'm-2' });
    await expect(job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' })).rejects.toThrow('SQS is down');
    const retry = await job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' });
    const bodies = sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody as string) as { jobId: string });
    expect(bodies.at(-1)?.jobId).toBe(retry.jobId);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });

  it('refuses a payload over the SQS limit and bad options before calling SQS', async () => {
    const job = declare();
    bind(job);
    await expect(job.enqueue({ userId: 'x'.repeat(MAX_PAYLOAD_BYTES) })).rejects.toMatchObject({ status: 413 });
    await expect(job.enqueue({ userId: 'u' }, { delaySeconds: 1000 })).rejects.toMatchObject({ status: 400 });
    expect(sqs.commandCalls(SendMessageCommand)).toEqual([]);
  });

  it('names the missing variable when the queue is not bound', async () => {
    const job = declare();
    await expect(job.enqueue({ userId: 'u1' })).rejects.toThrow(/AsyncJob "jobs-aws-\d+\/exports" has no SQS queue URL: BLOCKS_JOB_QUEUE_URLS/);
  });
});
