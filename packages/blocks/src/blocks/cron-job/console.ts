/**
 * CronJob's panel in the local console (Jobs tab): the schedule as
 * declared, when the dev server's scheduler runs it next, how its last run
 * ended, and "Run now", the same run the `blocks:job -- run` CLI asks for.
 * A failed run is an answer, not an error of the console: the panel shows it.
 */
import type { ConsoleSection } from '../../core/console-panel.js';
import type { LastScheduleRun } from './local-state.js';
import type { ParsedSchedule } from './schedule.js';

/** The Block as its section needs it (the local CronJob). */
export interface ConsoleSchedule {
  readonly schedule: ParsedSchedule;
  readonly timezone: string;
  /** When the scheduler runs it next (undefined when none is armed), and its last run. */
  state(): { readonly nextRunAt?: string; readonly lastRun?: LastScheduleRun };
  runNow(scheduledTime?: string): Promise<void>;
}

export function cronJobConsole(job: ConsoleSchedule): ConsoleSection {
  return {
    ui: 'cron-job',
    tab: 'Jobs',
    info: { schedule: job.schedule.expression, timezone: job.timezone },
    actions: {
      async status() {
        const { nextRunAt, lastRun } = job.state();
        return { schedule: job.schedule.expression, timezone: job.timezone, nextRunAt: nextRunAt ?? null, lastRun: lastRun ?? null };
      },
      async runNow() {
        const scheduledTime = new Date().toISOString();
        try {
          await job.runNow(scheduledTime);
          return { scheduledTime, outcome: 'succeeded' };
        } catch (error) {
          return { scheduledTime, outcome: 'failed', error: error instanceof Error ? error.message : String(error) };
        }
      },
    },
  };
}
