/**
 * The local AsyncJob as an app uses it: enqueue from an API call (the
 * request id travels with the job), runs worked by the same background
 * machinery the dev server uses, retries with backoff, dead letters that can
 * be listed and re-driven, dedupe keys, the concurrency limit, and a clear
 * 4xx for a payload or option the queue cannot take.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiNamespace } from '../../core/api-namespace.js';
import type { BackgroundWork } from '../../core/background.js';
import { Scope } from '../../core/scope.js';
import { createDispatcher } from '../../rpc/dispatcher.js';
import { AsyncJob, type JobContext } from './index.js';
import { MAX_PAYLOAD_BYTES } from './options.js';

let scopeCount = 0;
const lines: string[] = [];
let work: BackgroundWork | undefined;

beforeEach(async () => {
  process.env.BLOCKS_DATA_DIR = await mkdtemp(path.join(tmpdir(), 'async-job-'));
  lines.length = 0;
});

afterEach(async () => {
  await work?.stop();
  work = undefined;
});

/** A job whose runs are recorded, with a 20 ms backoff so retries are quick. */
function declare<T>(handler: (payload: T, context: JobContext) => Promise<void>, options: { retries?: number; concurrency?: number } = {}) {
  const scope = new Scope(`jobs-${process.pid}-${++scopeCount}`);
  const job = new AsyncJob<T>(scope, 'work', { handler, ...options });
  job.logSink = (_level, line) => lines.push(line);
  job.queueOptions = { backoffMs: () => 20, pollMs: 20 };
  return { scope, job };
}

function start(job: AsyncJob<never> | AsyncJob<unknown>): void {
  work = job.startBackground(async () => job);
}

function runLines(): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.msg === 'job run');
}

describe('AsyncJob (local)', () => {
  it('runs an enqueued job once with its payload, attempt 1 and the request id of the enqueuing call', async () => {
    const seen: { payload: unknown; context: JobContext }[] = [];
    const { scope, job } = declare<{ n: number }>(async (payload, context) => {
      seen.push({ payload, context });
    });
    const api = new ApiNamespace(scope, 'api', () => ({
      async request(n: number) {
        return job.enqueue({ n });
      },
    }));
    const dispatcher = createDispatcher({ api });
    const response = await dispatcher.handle({
      method: 'POST',
      headers: new Headers({ 'content-type': 'application/json' }),
      body: new TextEncoder().encode(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'api.request', params: [7] })),
      requestId: 'req-123',
    });
    const { jobId } = (JSON.parse(response.body as string) as { result: { jobId: string } }).result;
    start(job);
    await expect.poll(() => seen.length).toBe(1);
    expect(seen[0]?.payload).toEqual({ n: 7 });
    expect(seen[0]?.context).toMatchObject({ jobId, attempt: 1, requestId: 'req-123' });
    await expect.poll(async () => (await job.listJobs()).map((info) => info.state)).toEqual(['succeeded']);
    expect(runLines()).toEqual([
      expect.objectContaining({ level: 'info', block: `${scope.name}/work`, jobId, attempt: 1, outcome: 'succeeded', requestId: 'req-123', durationMs: expect.any(Number) }),
    ]);
  });

  it('retries a failing job with backoff, dead-letters it after the last attempt, and redrives it', async () => {
    let failUntil = Number.POSITIVE_INFINITY;
    const attempts: number[] = [];
    const { job } = declare<string>(
      async (_payload, { attempt }) => {
        attempts.push(attempt);
        if (attempts.length < failUntil) throw new Error(`boom ${attempt}`);
      },
      { retries: 2 },
    );
    const { jobId } = await job.enqueue('x');
    start(job);
    await expect.poll(async () => (await job.listDeadLetters()).map((info) => info.jobId)).toEqual([jobId]);
    expect(attempts).toEqual([1, 2, 3]);
    const dead = (await job.listDeadLetters())[0];
    expect(dead).toMatchObject({ state: 'dead', attempts: 3, lastError: 'boom 3', payload: 'x' });
    expect(runLines().map((entry) => entry.outcome)).toEqual(['failed', 'failed', 'dead-lettered']);
    expect(runLines().every((entry) => entry.level === 'error' && entry.error !== undefined)).toBe(true);

    failUntil = 0;
    expect(await job.redrive(jobId)).toBe(true);
    await expect.poll(async () => (await job.listJobs()).map((info) => info.state)).toEqual(['succeeded']);
    expect(attempts).toEqual([1, 2, 3, 1]);
    expect(await job.listDeadLetters()).toEqual([]);
    expect(await job.redrive(jobId)).toBe(false);
    expect(await job.redrive('no-such-job')).toBe(false);
  });

  it('waits for the backoff between attempts', async () => {
    const times: number[] = [];
    const { job } = declare<string>(async () => {
      times.push(Date.now());
      throw new Error('no');
    }, { retries: 1 });
    job.queueOptions = { backoffMs: () => 300, pollMs: 20 };
    await job.enqueue('x');
    start(job);
    await expect.poll(() => times.length).toBe(2);
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(300);
  });

  it('answers a second enqueue with the same dedupe key with the first job id and runs it once', async () => {
    const runs: string[] = [];
    const { job } = declare<string>(async (payload) => {
      runs.push(payload);
    });
    const results = await Promise.all(['a', 'b', 'c'].map((payload) => job.enqueue(payload, { dedupeKey: 'export:user-1' })));
    const other = await job.enqueue('d', { dedupeKey: 'export:user-2' });
    expect(new Set(results.map((result) => result.jobId)).size).toBe(1);
    expect(other.jobId).not.toBe(results[0]?.jobId);
    start(job);
    await expect.poll(() => runs.length).toBe(2);
    expect(runs.sort()).toEqual(['a', 'd']);
    expect((await job.listJobs()).length).toBe(2);
  });

  it('never runs more than `concurrency` jobs at once', async () => {
    let active = 0;
    let peak = 0;
    let done = 0;
    const { job } = declare<number>(
      async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((resolve) => setTimeout(resolve, 30));
        active--;
        done++;
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 12; i++) await job.enqueue(i);
    start(job);
    await expect.poll(() => done).toBe(12);
    expect(peak).toBe(3);
  });

  it('holds a delayed job until its delay has passed', async () => {
    const ranAt: number[] = [];
    const { job } = declare<string>(async () => {
      ranAt.push(Date.now());
    });
    const enqueuedAt = Date.now();
    await job.enqueue('later', { delaySeconds: 1 });
    start(job);
    await expect.poll(() => ranAt.length).toBe(1);
    expect((ranAt[0] as number) - enqueuedAt).toBeGreaterThanOrEqual(1000);
  });

  it('runs the handler the current declaration has (an edit applies to the next run)', async () => {
    const seen: string[] = [];
    const { job } = declare<string>(async () => {
      seen.push('old');
    });
    const scope2 = new Scope(`${job.scope.name}-edited`);
    const edited = new AsyncJob<string>(scope2, 'work', {
      handler: async () => {
        seen.push('new');
      },
    });
    edited.logSink = () => undefined;
    await job.enqueue('x');
    work = job.startBackground(async () => edited);
    await expect.poll(() => seen).toEqual(['new']);
  });

  it('refuses payloads and options the queue cannot take, with a 4xx', async () => {
    const { job } = declare<unknown>(async () => undefined);
    await expect(job.enqueue('x'.repeat(MAX_PAYLOAD_BYTES))).rejects.toMatchObject({ status: 413, message: expect.stringContaining('too large') });
    await expect(job.enqueue(10n)).rejects.toMatchObject({ status: 400, message: expect.stringContaining('JSON') });
    await expect(job.enqueue(undefined)).rejects.toMatchObject({ status: 400 });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await expect(job.enqueue(cycle)).rejects.toMatchObject({ status: 400 });
    await expect(job.enqueue(1, { delaySeconds: 901 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('delaySeconds') });
    await expect(job.enqueue(1, { delaySeconds: -1 })).rejects.toMatchObject({ status: 400 });
    await expect(job.enqueue(1, { dedupeKey: '' })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('dedupeKey') });
    await expect(job.enqueue(1, { dedupeKey: 'a b' })).rejects.toMatchObject({ status: 400 });
    expect(await job.listJobs()).toEqual([]);
  });

  it('refuses bad options at construction', () => {
    const scope = new Scope(`jobs-bad-${process.pid}`);
    const handler = async (): Promise<void> => undefined;
    expect(() => new AsyncJob(scope, 'a', { handler, retries: -1 })).toThrow(/retries must be an integer from 0 to 10/);
    expect(() => new AsyncJob(scope, 'b', { handler, visibilityTimeout: 901 })).toThrow(/visibilityTimeout/);
    expect(() => new AsyncJob(scope, 'c', { handler, concurrency: 1 })).toThrow(/concurrency must be an integer from 2/);
    expect(() => new AsyncJob(scope, 'd', {} as never)).toThrow(/needs a handler/);
  });

  it('fails a run that outlasts visibilityTimeout', async () => {
    const scope = new Scope(`jobs-slow-${process.pid}`);
    const job = new AsyncJob<string>(scope, 'slow', {
      handler: () => new Promise((resolve) => setTimeout(resolve, 3000)),
      visibilityTimeout: 1,
      retries: 0,
    });
    job.logSink = (_level, line) => lines.push(line);
    job.queueOptions = { backoffMs: () => 20, pollMs: 20 };
    await job.enqueue('x');
    start(job);
    await expect.poll(async () => (await job.listDeadLetters()).length).toBe(1);
    expect((await job.listDeadLetters())[0]?.lastError).toMatch(/timed out after 1 s/);
  });
});

describe('dead letters and succeeded jobs across a restart', () => {
  it('does not run a succeeded job again, and keeps a dead letter dead', async () => {
    const runs: string[] = [];
    const { job } = declare<string>(async (payload) => {
      runs.push(payload);
      if (payload === 'bad') throw new Error('bad payload');
    }, { retries: 0 });
    await job.enqueue('good');
    await job.enqueue('bad');
    start(job);
    await expect.poll(async () => (await job.listJobs()).map((info) => info.state).sort()).toEqual(['dead', 'succeeded']);
    await work?.stop();
    // A new runner over the same directory, as after a dev server restart.
    work = job.startBackground(async () => job);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs.sort()).toEqual(['bad', 'good']);
  });
});
