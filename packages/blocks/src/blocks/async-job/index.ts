/**
 * AsyncJob, local variant (the default condition): background work declared
 * in a scope, queued durably under `<data dir>/jobs/<scope>/<id>/` and run
 * by the dev server in its own process (`startBackground`). Deployed, the
 * same declaration is an SQS queue with a dead-letter queue, worked by the
 * Blocks worker function (index.cdk.ts, index.aws.ts).
 *
 * @example
 * const exports = new AsyncJob<{ userId: string }>(scope, 'exports', {
 *   handler: async ({ userId }, { log }) => { log.info('exporting', { userId }); },
 * });
 * const { jobId } = await exports.enqueue({ userId });
 */
import path from 'node:path';
import type { BackgroundBlock, BackgroundWork } from '../../core/background.js';
import type { ConsoleBlock, ConsoleSection } from '../../core/console-panel.js';
import { currentRequestId } from '../../core/current-request.js';
import type { Scope } from '../../core/scope.js';
import type { HttpRoute } from '../../core/routes.js';
import { adminRoute } from '../../local/admin-route.js';
import { localDataDir } from '../../local/data-dir.js';
import { DeclaredAsyncJob } from './async-job.js';
import { asyncJobConsole } from './console.js';
import { LocalJobQueue, type JobWorker, type LocalQueueOptions } from './local-queue.js';
import { checkEnqueue } from './options.js';
import type { AsyncJobOptions, EnqueueOptions, EnqueueResult, JobInfo } from './public.js';

export type * from './public.js';

export class AsyncJob<T = unknown> extends DeclaredAsyncJob<T> implements BackgroundBlock, JobWorker, ConsoleBlock {
  #queue?: LocalJobQueue;
  /** Test hook: a shorter backoff and poll interval. */
  queueOptions: LocalQueueOptions = {};

  constructor(scope: Scope, id: string, options: AsyncJobOptions<T>) {
    super(scope, id, options);
  }

  /** Opened on first use, so BLOCKS_DATA_DIR set after the app module loads still counts. */
  #local(): LocalJobQueue {
    this.#queue ??= new LocalJobQueue(path.join(localDataDir(), 'jobs', this.scope.name, this.id), this.queueOptions);
    return this.#queue;
  }

  async enqueue(payload: T, options?: EnqueueOptions): Promise<EnqueueResult> {
    const checked = checkEnqueue(payload, options);
    return { jobId: await this.#local().enqueue(checked, currentRequestId()) };
  }

  override async listJobs(): Promise<JobInfo[]> {
    return this.#local().list();
  }

  override async listDeadLetters(): Promise<JobInfo[]> {
    return this.#local().list('dead');
  }

  override async redrive(jobId: string): Promise<boolean> {
    return this.#local().redrive(jobId);
  }

  /** Its panel in the local console (`/_blocks/`, Jobs tab); local mode only. */
  consoleSection(): ConsoleSection {
    return asyncJobConsole(this);
  }

  /** Development-only routes for `npm run blocks:job` (local/admin-route.ts). */
  routes(): HttpRoute[] {
    const base = `jobs/${this.scope.name}/${this.id}`;
    return [
      adminRoute('GET', base, async () => this.listJobs()),
      adminRoute('POST', `${base}/redrive/:jobId`, async (request) => ({ redriven: await this.redrive(request.params.jobId ?? '') })),
    ];
  }

  /** Works this job's queue in this process; each run uses the handler `current()` declares at that moment. */
  startBackground(current: () => Promise<BackgroundBlock | undefined>): BackgroundWork {
    return this.#local().start(async () => {
      const block = await current();
      return block !== undefined && isJobWorker(block) ? block : undefined;
    });
  }
}

function isJobWorker(block: BackgroundBlock): block is BackgroundBlock & JobWorker {
  return typeof (block as Partial<JobWorker>).runOnce === 'function' && typeof (block as Partial<JobWorker>).settings === 'object';
}
