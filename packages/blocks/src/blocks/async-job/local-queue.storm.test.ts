/**
 * Crash safety of the local job queue: a child process enqueues jobs and
 * works them at once, and is SIGKILLed at a random point, several rounds in
 * a row on the same queue. Then a last child drains it. Every job `enqueue`
 * acknowledged must have run to success (at-least-once, nothing lost), a
 * job runs again only when a kill landed between its success and the
 * queue's record of it, and once drained, a restart runs nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runStormRound } from '../../testing/kill-storm.js';
import { LocalJobQueue } from './local-queue.js';

const STORM_SCRIPT = fileURLToPath(new URL('./testing/queue-storm.ts', import.meta.url));
const ROUNDS = 4;
const CONCURRENCY = 4;
let root: string | undefined;

afterAll(async () => {
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

function readRuns(file: string): { jobId: string; attempt: number; ok: boolean }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [jobId = '', attempt = '0', outcome] = line.split(' ');
      return { jobId, attempt: Number(attempt), ok: outcome === 'ok' };
    });
}

describe('local job queue under kill -9', () => {
  it('loses no acknowledged job across SIGKILL rounds and re-runs nothing after it drained', { timeout: 120_000 }, async () => {
    root = await mkdtemp(path.join(tmpdir(), 'queue-storm-'));
    const dir = path.join(root, 'queue');
    const runsLog = path.join(root, 'runs.log');
    const acknowledged = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const { acks } = await runStormRound<{ jobId: string }>(STORM_SCRIPT, [dir, runsLog, 'enqueue'], 20 + round * 10, { jitterMs: 40 });
      for (const ack of acks) acknowledged.add(ack.jobId);
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(20 * ROUNDS);

    await runStormRound(STORM_SCRIPT, [dir, runsLog, 'drain'], 1);
    const runs = readRuns(runsLog);
    const succeeded = new Map<string, number>();
    for (const run of runs) if (run.ok) succeeded.set(run.jobId, (succeeded.get(run.jobId) ?? 0) + 1);
    const lost = [...acknowledged].filter((jobId) => !succeeded.has(jobId));
    expect(lost).toEqual([]);
    // A second success needs a kill between a run's end and its record: at most one per runner slot per kill.
    const twice = [...succeeded.values()].filter((count) => count > 1).length;
    expect(twice).toBeLessThanOrEqual(CONCURRENCY * ROUNDS);
    // Failed first attempts were retried (the queue's own retry, not only crash recovery).
    expect(runs.some((run) => !run.ok)).toBe(true);

    const jobs = await new LocalJobQueue(dir).list();
    expect(jobs.filter((job) => job.state !== 'succeeded')).toEqual([]);
    for (const jobId of acknowledged) expect(jobs.some((job) => job.jobId === jobId)).toBe(true);

    // A restart after the drain: nothing runs again.
    const before = runs.length;
    await runStormRound(STORM_SCRIPT, [dir, runsLog, 'drain'], 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(readRuns(runsLog).length).toBe(before);
  });
});
