/**
 * The deployed worker, tested as deployed: an app with an AsyncJob and a
 * CronJob is synthesized by createBlocksBackend with bundling on, and the
 * worker function's asset is run as Lambda runs it (template handler and
 * environment, @aws-sdk from the "runtime" only). It gets an SQS event
 * source batch in Lambda's shape and answers with a partial batch response;
 * the retry delay it sets goes to a fake SQS that checks each call against
 * the worker role's policy; a Scheduler invocation runs the CronJob. The
 * API function of the same bundle enqueues: its SendMessage must be allowed
 * by its own role, and the message is what the worker reads.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBlocksBackend } from '../../packages/blocks/src/cdk/blocks-backend.js';
import {
  httpApiEvent,
  isAllowed,
  loadDeployedFunction,
  startFakeSqs,
  startLambdaProcess,
  type DeployedFunction,
  type FakeSqs,
  type LambdaProcess,
} from './harness';

vi.mock('blocks-kit', async () => (await import('../../packages/blocks/src/testing/kit-variant.js')).kitUnder('cdk'));

const repoRoot = path.resolve(import.meta.dirname, '../..');
// Inside the repo, so the bundle resolves blocks-kit; its own folder, so its generated entry is its own.
const projectRoot = path.join(repoRoot, 'packages', 'blocks', 'test-tmp', `worker-artifact-${process.pid}`);
const appEntry = fileURLToPath(new URL('./fixtures/worker-app.ts', import.meta.url));

let fn: DeployedFunction;
let api: DeployedFunction;
let sqs: FakeSqs;
let apiSqs: FakeSqs;
let lambda: LambdaProcess | undefined;
let apiLambda: LambdaProcess | undefined;

beforeAll(async () => {
  await mkdir(projectRoot, { recursive: true });
  await writeFile(path.join(projectRoot, 'package-lock.json'), '{}');
  const outDir = path.join(projectRoot, 'cdk.out');
  const app = new App({ outdir: outDir });
  const stack = new Stack(app, 'WorkerArtifact');
  await createBlocksBackend(stack, { mode: 'sandbox', projectRoot, appEntry });
  app.synth();
  fn = await loadDeployedFunction({ outDir }, { handlerExport: 'worker' });
  sqs = await startFakeSqs({ authorize: (action, resource) => isAllowed(fn.policy, action, resource) });
  lambda = await startLambdaProcess(fn, { extraEnv: { BLOCKS_SQS_ENDPOINT: sqs.endpoint } });
  api = await loadDeployedFunction({ outDir }, { handlerExport: 'handler' });
  apiSqs = await startFakeSqs({ authorize: (action, resource) => isAllowed(api.policy, action, resource) });
  apiLambda = await startLambdaProcess(api, { extraEnv: { BLOCKS_SQS_ENDPOINT: apiSqs.endpoint } });
}, 180_000);

afterAll(async () => {
  await lambda?.close();
  await apiLambda?.close();
  await sqs?.close();
  await apiSqs?.close();
  await rm(projectRoot, { recursive: true, force: true });
});

const running = (): LambdaProcess => {
  if (!lambda) throw new Error('the worker did not start');
  return lambda;
};

const bound = (env: string): string => (JSON.parse(fn.environment[env] ?? '{}') as Record<string, string>)['artifact-jobs/exports'] ?? '';

let count = 0;
function record(body: unknown, receiveCount = 1): SQSRecord {
  const messageId = `5e1f0c9a-0000-4000-8000-${String(++count).padStart(12, '0')}`;
  return {
    messageId,
    receiptHandle: `AQEB${messageId}`,
    body: JSON.stringify(body),
    attributes: { ApproximateReceiveCount: String(receiveCount), SentTimestamp: '1764486000000', SenderId: 'AROAEXAMPLE:handler', ApproximateFirstReceiveTimestamp: '1764486000100' },
    messageAttributes: {},
    md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    eventSource: 'aws:sqs',
    eventSourceARN: bound('BLOCKS_JOB_QUEUE_ARNS'),
    awsRegion: fn.account.region,
  };
}

describe('the synthesized worker asset, run as Lambda runs it', () => {
  it('is the second function of the bundle, with the queue bindings in its environment', () => {
    expect(fn.handler).toMatch(/\.worker$/);
    expect(bound('BLOCKS_JOB_QUEUE_URLS')).toMatch(/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com\/\d+\//);
    expect(bound('BLOCKS_JOB_QUEUE_ARNS')).toMatch(/^arn:aws:sqs:/);
  });

  it('works an SQS batch, reports the failed record, and delays its retry with a call its role allows', async () => {
    const ok = record({ v: 1, jobId: 'job-ok', requestId: 'req-1', payload: { n: 1 } });
    const bad = record({ v: 1, jobId: 'job-bad', payload: { n: 2, fail: true } });
    const response = await running().invoke<SQSBatchResponse>({ Records: [ok, bad] });
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(sqs.calls, running().logs.join('\n')).toEqual([
      {
        operation: 'ChangeMessageVisibility',
        input: { QueueUrl: bound('BLOCKS_JOB_QUEUE_URLS'), ReceiptHandle: bad.receiptHandle, VisibilityTimeout: 2 },
        resource: bound('BLOCKS_JOB_QUEUE_ARNS'),
        allowed: true,
      },
    ]);
    const runs = (): Record<string, unknown>[] =>
      running()
        .logs.flatMap((line) => {
          try {
            return [JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>];
          } catch {
            return [];
          }
        })
        .filter((entry) => entry.msg === 'job run');
    // The child's stdout arrives beside the invocation's answer, not before it.
    await expect.poll(runs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ jobId: 'job-ok', outcome: 'succeeded', requestId: 'req-1', block: 'artifact-jobs/exports' }),
        expect.objectContaining({ jobId: 'job-bad', outcome: 'failed', attempt: 1, error: 'export 2 failed' }),
      ]),
    );
    expect(running().refusedNetwork).toEqual([]);
  });

  it('runs the CronJob a Scheduler invocation names', async () => {
    await running().invoke({ blocksTarget: 'artifact-jobs/prune', scheduledTime: '2026-12-01T02:00:00Z' });
    // The child's stdout arrives beside the invocation's answer, not before it.
    await expect.poll(() => running().logs.some((line) => line.includes('"msg":"pruning"') && line.includes('2026-12-01T02:00:00Z'))).toBe(true);
  });

  it('is fed by the API function: enqueue sends the job envelope to the queue, allowed by the API role', async () => {
    if (!apiLambda) throw new Error('the API function did not start');
    const response = await apiLambda.invoke(httpApiEvent({ body: { jsonrpc: '2.0', id: 1, method: 'api.request', params: [7] } }));
    const reply = JSON.parse(String(response.body)) as { result?: { jobId: string } };
    expect(response.statusCode, apiLambda.logs.slice(-6).join('\n')).toBe(200);
    const [call, ...more] = apiSqs.calls;
    expect(more).toEqual([]);
    expect(call).toMatchObject({ operation: 'SendMessage', resource: bound('BLOCKS_JOB_QUEUE_ARNS'), allowed: true });
    expect(call?.input.QueueUrl).toBe(bound('BLOCKS_JOB_QUEUE_URLS'));
    const body = JSON.parse(String(call?.input.MessageBody)) as Record<string, unknown>;
    expect(body).toEqual({ v: 1, jobId: reply.result?.jobId, requestId: response.headers?.['x-request-id'], payload: { n: 7 } });

    // That very message, delivered to the worker, runs.
    const delivered = await running().invoke<SQSBatchResponse>({ Records: [record(body)] });
    expect(delivered).toEqual({ batchItemFailures: [] });
  });
});
