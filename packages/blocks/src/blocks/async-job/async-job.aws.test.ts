/**
 * The deployed AsyncJob's `enqueue` against the real @aws-sdk/client-sqs
 * client, its transport replaced by aws-sdk-client-mock: the SendMessage it
 * builds (queue URL from the binding, the job envelope with the enqueuing
 * call's request id, the delay), dedupe keys (the first job's id, one
 * message), and a failed send freeing its dedupe key. Dedupe keys go to
 * the job's dedupe table, served by dynalite.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runWithRequestId } from '../../core/current-request.js';
import { Scope } from '../../core/scope.js';
import { AsyncJob } from './index.aws.js';
import { MAX_PAYLOAD_BYTES } from './options.js';
import { DUMMY_CREDENTIALS, DUMMY_REGION, startDynalite, type Dynalite } from '../kv-store/testing/dynalite.js';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/exports-q';
let count = 0;

function declare(): AsyncJob<{ userId: string }> {
  return new AsyncJob<{ userId: string }>(new Scope(`jobs-aws-${++count}`), 'exports', { handler: async () => undefined });
}

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.close());

beforeEach(() => {
  sqs.reset();
  sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
});
afterEach(() => vi.unstubAllEnvs());

/** The environment the Blocks backend gives the function: the queue URL and the dedupe table. */
async function bind(job: AsyncJob<{ userId: string }>): Promise<void> {
  vi.stubEnv('BLOCKS_JOB_QUEUE_URLS', JSON.stringify({ [`${job.scope.name}/exports`]: QUEUE_URL }));
  vi.stubEnv('BLOCKS_KV_TABLES', JSON.stringify({ [`${job.scope.name}/exports-dedupe`]: await db.createTable() }));
  vi.stubEnv('BLOCKS_DYNAMODB_ENDPOINT', db.endpoint);
  vi.stubEnv('AWS_REGION', DUMMY_REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', DUMMY_CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', DUMMY_CREDENTIALS.secretAccessKey);
}

describe('AsyncJob (aws-runtime) enqueue with SQS', () => {
  it('sends one message: the job envelope with the request id, to the bound queue, with the delay', async () => {
    const job = declare();
    await bind(job);
    const { jobId } = await runWithRequestId('req-42', () => job.enqueue({ userId: 'u1' }, { delaySeconds: 30 }));
    const [call, ...more] = sqs.commandCalls(SendMessageCommand);
    expect(more).toEqual([]);
    const input = call?.args[0].input;
    expect(input).toMatchObject({ QueueUrl: QUEUE_URL, DelaySeconds: 30 });
    expect(JSON.parse(input?.MessageBody as string)).toEqual({ v: 1, jobId, requestId: 'req-42', payload: { userId: 'u1' } });
  });

  it('answers a repeated dedupe key with the first job id and sends nothing more', async () => {
    const job = declare();
    await bind(job);
    const first = await job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' });
    const second = await job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' });
    const other = await job.enqueue({ userId: 'u2' }, { dedupeKey: 'export:u2' });
    expect(second.jobId).toBe(first.jobId);
    expect(other.jobId).not.toBe(first.jobId);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });

  it('frees the dedupe key when the send fails, so a retry of the call enqueues', async () => {
    const job = declare();
    await bind(job);
    sqs.on(SendMessageCommand).rejectsOnce(new Error('SQS is down')).resolves({ MessageId: 'm-2' });
    await expect(job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' })).rejects.toThrow('SQS is down');
    const retry = await job.enqueue({ userId: 'u1' }, { dedupeKey: 'export:u1' });
    const bodies = sqs.commandCalls(SendMessageCommand).map((call) => JSON.parse(call.args[0].input.MessageBody as string) as { jobId: string });
    expect(bodies.at(-1)?.jobId).toBe(retry.jobId);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(2);
  });

  it('refuses a payload over the SQS limit and bad options before calling SQS', async () => {
    const job = declare();
    await bind(job);
    await expect(job.enqueue({ userId: 'x'.repeat(MAX_PAYLOAD_BYTES) })).rejects.toMatchObject({ status: 413 });
    await expect(job.enqueue({ userId: 'u' }, { delaySeconds: 1000 })).rejects.toMatchObject({ status: 400 });
    expect(sqs.commandCalls(SendMessageCommand)).toEqual([]);
  });

  it('names the missing variable when the queue is not bound', async () => {
    const job = declare();
    await expect(job.enqueue({ userId: 'u1' })).rejects.toThrow(/AsyncJob "jobs-aws-\d+\/exports" has no SQS queue URL: BLOCKS_JOB_QUEUE_URLS/);
  });
});
