/**
 * AsyncJob's panel in the local console (Jobs tab): the jobs the local
 * queue holds, grouped as the developer thinks of them (queued, running,
 * failed and waiting for a retry, dead-lettered, recently succeeded), and a
 * re-drive of a dead letter. It reads and changes the queue through the
 * Block's own methods, the ones the `blocks:job` CLI's admin routes use:
 * the dev server process owns the queue directory, and a re-drive wakes the
 * runner that works it in this process.
 */
import { inputString, type ConsoleSection } from '../../core/console-panel.js';
import { NotFoundError } from '../../core/errors.js';
import type { JobInfo } from './public.js';

/** The Block as its section needs it (the local AsyncJob). */
export interface ConsoleJobQueue {
  readonly settings: { readonly retries: number; readonly concurrency: number; readonly visibilityTimeout: number };
  listJobs(): Promise<JobInfo[]>;
  redrive(jobId: string): Promise<boolean>;
}

export type JobGroup = 'queued' | 'running' | 'failed' | 'dead' | 'succeeded';

export interface JobView extends JobInfo {
  readonly group: JobGroup;
}

// A panel shows the newest jobs of each group; a queue this deep is better read with the CLI.
const MAX_PER_GROUP = 100;

/** A queued job that has run before failed and waits for its retry at `runAt`. */
function groupOf(job: JobInfo): JobGroup {
  if (job.state === 'queued' && job.attempts > 0) return 'failed';
  return job.state;
}

export function asyncJobConsole(queue: ConsoleJobQueue): ConsoleSection {
  const { retries, concurrency, visibilityTimeout } = queue.settings;
  return {
    ui: 'async-job',
    tab: 'Jobs',
    info: { retries, concurrency, visibilityTimeout },
    actions: {
      async list() {
        const groups: Record<JobGroup, JobView[]> = { queued: [], running: [], failed: [], dead: [], succeeded: [] };
        for (const job of await queue.listJobs()) groups[groupOf(job)].push({ ...job, group: groupOf(job) });
        const counts = Object.fromEntries(Object.entries(groups).map(([group, jobs]) => [group, jobs.length]));
        // Newest first, as the panel reads them.
        const jobs = Object.values(groups).flatMap((list) => list.slice(-MAX_PER_GROUP).reverse());
        return { jobs, counts };
      },
      async redrive(input) {
        const jobId = inputString(input, 'jobId', { max: 200 });
        if (!(await queue.redrive(jobId))) throw new NotFoundError(`No dead-lettered job "${jobId.slice(0, 80)}" (it may have been re-driven already)`);
        return { redriven: true, jobId };
      },
    },
  };
}
