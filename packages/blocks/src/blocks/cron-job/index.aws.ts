/**
 * CronJob, `aws-runtime` variant: the schedule index.cdk.ts created invokes
 * the Blocks worker function, which hands the invocation to this Block
 * (transports/lambda-worker.ts). A failed run rejects, so Lambda's
 * asynchronous invocation retries it (twice) and records it.
 */
import type { Scope } from '../../core/scope.js';
import type { ScheduledInvocation, ScheduledWorkerBlock } from '../../core/worker-block.js';
import { DeclaredCronJob } from './cron-job.js';
import type { CronJobOptions } from './public.js';
import { parseSchedule } from './schedule.js';

export * from './public.js';

export class CronJob extends DeclaredCronJob implements ScheduledWorkerBlock {
  constructor(scope: Scope, id: string, options: CronJobOptions) {
    super(scope, id, options, parseSchedule, 'on-first-use');
  }

  async handleScheduled(invocation: ScheduledInvocation): Promise<void> {
    await this.runNow(invocation.scheduledTime);
  }
}
