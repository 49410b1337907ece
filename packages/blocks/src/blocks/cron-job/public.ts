/**
 * CronJob's public types, re-exported by every variant.
 */
import type { RunLogger } from '../../core/run-log.js';

export { InvalidScheduleError } from './schedule.js';

/** What a scheduled handler gets. */
export interface CronContext {
  /** ISO time the run was due (for `runNow`, the time it was asked for). */
  readonly scheduledTime: string;
  /** Structured JSON lines carrying the schedule's Block. */
  readonly log: RunLogger;
}

export interface CronJobOptions {
  /** An EventBridge Scheduler expression: `cron(0 3 * * ? *)`, `rate(1 day)`, `at(2027-01-01T09:00:00)`. */
  readonly schedule: string;
  /** IANA time zone the expression is read in; default `UTC`. */
  readonly timezone?: string;
  readonly handler: (context: CronContext) => Promise<void>;
}
