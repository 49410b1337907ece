/**
 * Child process for the kill -9 test of the local job queue
 * (`../local-queue.storm.test.ts`).
 *
 * Usage: node --import tsx queue-storm.ts <queue dir> <runs log> <enqueue|drain>
 *
 * `enqueue`: works the queue (4 at once) while enqueuing jobs as fast as it
 * can; prints `{"jobId":...}` once `enqueue` resolved (the job is
 * acknowledged). Every fifth job fails its first attempt, so retries are in
 * flight too. `drain`: only works the queue, and prints `{"drained":true}`
 * once every job has succeeded. Each run appends `<jobId> <attempt> ok|fail`
 * to the runs log before the queue records its outcome, so a kill between the
 * two shows up as a second run. The test SIGKILLs this process.
 */
import { appendFileSync } from 'node:fs';
import type { JobRun, RunResult } from '../async-job.js';
import { LocalJobQueue, type JobWorker } from '../local-queue.js';

const [dir, runsLog, mode = 'enqueue'] = process.argv.slice(2);
if (dir === undefined || runsLog === undefined) {
  console.error('usage: queue-storm.ts <queue dir> <runs log> <enqueue|drain>');
  process.exit(2);
}
// If the test runner dies without killing us, do not run forever.
setTimeout(() => process.exit(3), 30_000).unref();

const queue = new LocalJobQueue(dir, { backoffMs: () => 10, pollMs: 10 });
const worker: JobWorker = {
  settings: { retries: 3, visibilityTimeout: 5, concurrency: 4 },
  async runOnce(run: JobRun): Promise<RunResult> {
    const payload = JSON.parse(run.payloadJson) as { n: number };
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
    const ok = !(payload.n % 5 === 0 && run.attempt === 1);
    appendFileSync(runsLog, `${run.jobId} ${run.attempt} ${ok ? 'ok' : 'fail'}\n`);
    return ok ? { ok: true } : { ok: false, error: new Error('first attempt fails') };
  },
};
queue.start(async () => worker);

function acknowledge(line: object): void {
  // Pipes are synchronous on Linux, so the line is out before the next enqueue starts.
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

if (mode === 'drain') {
  // The queue's timers do not hold the process open (they must not in the dev server); this does, until the kill.
  setInterval(() => undefined, 1000);
  const timer = setInterval(() => {
    void queue.list().then((jobs) => {
      if (jobs.every((job) => job.state === 'succeeded')) {
        clearInterval(timer);
        acknowledge({ drained: true });
      }
    });
  }, 50);
} else {
  // Some bulk makes each write take long enough that a kill can land inside it.
  const pad = 'x'.repeat(8 * 1024);
  for (let n = 0; ; n++) {
    const jobId = await queue.enqueue({ json: JSON.stringify({ n, pad }), delaySeconds: 0 }, undefined);
    acknowledge({ jobId });
  }
}
