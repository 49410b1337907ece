/**
 * CronJob, `aws-runtime` variant: the schedule index.cdk.ts created invokes
 * the Blocks worker function, which hands the invocation to this Block
 * (transports/lambda-worker.ts). A failed run rejects, so Lambda's
 * asynchronous invocation retries it (twice) and records it.
 */
import type { ScheduledInvocation, ScheduledWorkerBlock } from '../../core/worker-block.js';
import { DeclaredCronJob } from './cron-job.js';

export * from './public.js';

export class CronJob extends DeclaredCronJob implements ScheduledWorkerBlock {
  async handleScheduled(invocation: ScheduledInvocation): Promise<void> {
    await this.runNow(invocation.scheduledTime);
  }
}
