/**
 * Runs a schedule in the dev server: sleeps until the next due time, then
 * runs the handler of the CronJob as declared *now* (edits apply), one run
 * at a time (a run still going when the next is due skips that one, logged).
 * Like EventBridge Scheduler, times missed while the server was down are not
 * made up for. Timers are re-armed at least every minute, so a sleeping
 * laptop or a changed clock delays a run by a minute at most.
 */
import type { BackgroundWork } from '../../core/background.js';
import { bindingKey } from '../../core/binding.js';
import { logRun } from '../../core/run-log.js';
import type { DeclaredCronJob } from './cron-job.js';
import { scheduleState } from './local-state.js';
import { nextRun } from './next-run.js';

const MAX_SLEEP_MS = 60_000;

export function startSchedule(resolve: () => Promise<DeclaredCronJob | undefined>, startedAt = new Date()): BackgroundWork {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let due: Date | undefined;
  let key: string | undefined;

  const arm = async (): Promise<void> => {
    if (stopped) return;
    const job = await resolve();
    if (job === undefined || stopped) return;
    const now = new Date();
    if (due !== undefined && due.getTime() <= now.getTime()) {
      const scheduledTime = due.toISOString();
      due = undefined;
      if (running !== undefined) {
        logRun({ msg: 'schedule run', kind: job.kind, block: bindingKey(job), durationMs: 0, outcome: 'skipped', fields: { scheduledTime, reason: 'the previous run is still going' } }, job.logSink);
      } else {
        running = job
          .runNow(scheduledTime)
          .catch(() => undefined) // logged by runNow
          .finally(() => {
            running = undefined;
          });
      }
    }
    // Recomputed each time from the current declaration: an edited schedule applies from here.
    due ??= nextRun(job.schedule, job.timezone, now, startedAt);
    key = bindingKey(job);
    // For the console: the time this scheduler is armed for, not one computed apart from it.
    if (due === undefined) delete scheduleState(key).nextRunAt;
    else scheduleState(key).nextRunAt = due.toISOString();
    if (due === undefined) return; // an at() schedule that has passed
    timer = setTimeout(() => void arm(), Math.min(Math.max(0, due.getTime() - Date.now()), MAX_SLEEP_MS));
    timer.unref();
  };

  void arm();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      if (key !== undefined) delete scheduleState(key).nextRunAt;
      await running;
    },
  };
}
