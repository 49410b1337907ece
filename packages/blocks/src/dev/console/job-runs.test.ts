/**
 * Background runs in the console's request log: a job run and a scheduled
 * run, made by real local Blocks, arrive as `job` entries with the Block,
 * job id, attempt, outcome, duration and the enqueuing request's id (and
 * its caller, while that call is still in the log); the payload and the
 * error go through the same redactor as calls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWithRequestId } from '../../core/current-request.js';
import { observeRuns } from '../../core/run-log.js';
import { Scope } from '../../core/scope.js';
import { AsyncJob, CronJob } from '../../index.js';
import type { ServedExchange } from '../../transports/node.js';
import { REDACTED } from './redact.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';

const SECRET = 'sk_live_job_secret_value';
let dataDir: string;
const previous = process.env.BLOCKS_DATA_DIR;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-console-jobs-'));
  process.env.BLOCKS_DATA_DIR = dataDir;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.BLOCKS_DATA_DIR;
  else process.env.BLOCKS_DATA_DIR = previous;
  await rm(dataDir, { recursive: true, force: true });
});

const jwt = (claims: object): string => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

/** The call that enqueued the job, as the transport reports it. */
function enqueuingCall(requestId: string): ServedExchange {
  return {
    kind: 'rpc',
    method: 'POST',
    path: '/aws-blocks/api',
    headers: new Headers({ authorization: `Bearer ${jwt({ sub: 'u-1', email: 'ada@example.com' })}` }),
    requestBody: new TextEncoder().encode(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'notes.requestExport', params: [] })),
    status: 200,
    responseHeaders: new Headers({ 'x-request-id': requestId }),
    responseBody: '{"jsonrpc":"2.0","id":1,"result":{}}',
    startedAt: Date.now(),
    durationMs: 3,
  };
}

async function jobEntries(log: RequestLog, count: number): Promise<RequestLogEntry[]> {
  let entries: RequestLogEntry[] = [];
  await expect
    .poll(async () => {
      await log.settled();
      entries = log.since(0).filter((entry) => entry.kind === 'job');
      return entries.length;
    })
    .toBeGreaterThanOrEqual(count);
  return entries;
}

describe('job runs in the request log', () => {
  it('records each attempt of a queued job, redacted, with the enqueuing request and its caller', async () => {
    const log = new RequestLog({ secrets: async () => [SECRET] });
    const stop = observeRuns(log.observeRun);
    let attempts = 0;
    const job = new AsyncJob<{ password: string; note: string }>(new Scope('log-jobs'), 'exports', {
      retries: 1,
      handler: async () => {
        attempts += 1;
        if (attempts === 1) throw new Error(`upstream refused ${SECRET}`);
      },
    });
    job.logSink = () => undefined;
    job.queueOptions = { backoffMs: () => 20, pollMs: 20 };
    log.observe(enqueuingCall('req-export-1'));
    await log.settled();
    const { jobId } = await runWithRequestId('req-export-1', () => job.enqueue({ password: 'hunter2-pass', note: `key ${SECRET}` }));
    const work = job.startBackground(async () => job);
    try {
      const [failed, succeeded] = await jobEntries(log, 2);
      expect(failed).toMatchObject({
        kind: 'job',
        method: 'AsyncJob log-jobs/exports',
        status: 500,
        requestId: 'req-export-1',
        caller: { label: 'ada@example.com' },
        job: { block: 'log-jobs/exports', jobId, attempt: 1, outcome: 'failed' },
        errorMessage: `upstream refused ${REDACTED}`,
        params: { password: REDACTED, note: `key ${REDACTED}` },
      });
      expect(succeeded).toMatchObject({ status: 200, job: { jobId, attempt: 2, outcome: 'succeeded' }, requestId: 'req-export-1' });
      expect(succeeded!.durationMs).toBeGreaterThanOrEqual(0);
      const stored = JSON.stringify(log.since(0));
      expect(stored).not.toContain(SECRET);
      expect(stored).not.toContain('hunter2-pass');
    } finally {
      await work.stop();
      stop();
    }
  });

  it('records a scheduled run, and nothing once the observer is removed', async () => {
    const log = new RequestLog();
    const stop = observeRuns(log.observeRun);
    const cron = new CronJob(new Scope('log-cron'), 'prune', { schedule: 'rate(1 day)', handler: async () => undefined });
    cron.logSink = () => undefined;
    const scheduledTime = '2026-11-30T03:00:00.000Z';
    await cron.runNow(scheduledTime);
    const [entry] = await jobEntries(log, 1);
    expect(entry).toMatchObject({ kind: 'job', method: 'CronJob log-cron/prune', status: 200, caller: { label: 'schedule' }, job: { block: 'log-cron/prune', outcome: 'succeeded', scheduledTime } });
    stop();
    await cron.runNow(scheduledTime);
    await log.settled();
    expect(log.since(0).filter((candidate) => candidate.kind === 'job')).toHaveLength(1);
  });
});
