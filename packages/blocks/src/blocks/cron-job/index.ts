/**
 * CronJob, local variant (the default condition): a schedule declared in a
 * scope, run by the dev server in its own process (`startBackground`), and
 * on demand with `runNow()` (also `npm run blocks:job -- run <scope>/<id>`).
 * Deployed, the same declaration is an EventBridge Scheduler schedule
 * invoking the Blocks worker function (index.cdk.ts, index.aws.ts).
 *
 * @example
 * new CronJob(scope, 'prune-exports', {
 *   schedule: 'cron(0 3 * * ? *)',
 *   timezone: 'Europe/Paris',
 *   handler: async ({ scheduledTime, log }) => { log.info('pruning', { scheduledTime }); },
 * });
 */
import type { BackgroundBlock, BackgroundWork } from '../../core/background.js';
import { bindingKey } from '../../core/binding.js';
import type { ConsoleBlock, ConsoleSection } from '../../core/console-panel.js';
import type { HttpRoute } from '../../core/routes.js';
import { adminRoute } from '../../local/admin-route.js';
import { DeclaredCronJob } from './cron-job.js';
import type { Scope } from '../../core/scope.js';
import type { CronJobOptions } from './public.js';
import { cronJobConsole } from './console.js';
import { startSchedule } from './local-scheduler.js';
import { scheduleState } from './local-state.js';
import { nextRun, parseComputableSchedule } from './next-run.js';

export * from './public.js';

export class CronJob extends DeclaredCronJob implements BackgroundBlock, ConsoleBlock {
  constructor(scope: Scope, id: string, options: CronJobOptions) {
    super(scope, id, options, parseComputableSchedule);
  }

  /** Runs the handler now (see DeclaredCronJob); locally also remembers how it ended, for the console. */
  override async runNow(scheduledTime: string = new Date().toISOString()): Promise<void> {
    const started = Date.now();
    const remember = (outcome: 'succeeded' | 'failed', error?: unknown): void => {
      scheduleState(bindingKey(this)).lastRun = {
        scheduledTime,
        outcome,
        finishedAt: new Date().toISOString(),
        durationMs: Date.now() - started,
        ...(error !== undefined && { error: error instanceof Error ? error.message : String(error) }),
      };
    };
    try {
      await super.runNow(scheduledTime);
    } catch (error) {
      remember('failed', error);
      throw error;
    }
    remember('succeeded');
  }

  /** Its panel in the local console (`/_blocks/`, Jobs tab); local mode only. */
  consoleSection(): ConsoleSection {
    return cronJobConsole({
      schedule: this.schedule,
      timezone: this.timezone,
      runNow: (scheduledTime) => this.runNow(scheduledTime),
      state: () => {
        const state = scheduleState(bindingKey(this));
        // No scheduler armed (the Block was just added, or runs outside the dev server): when it would run from now.
        const nextRunAt = state.nextRunAt ?? nextRun(this.schedule, this.timezone, new Date(), new Date())?.toISOString();
        return { ...(nextRunAt !== undefined && { nextRunAt }), ...(state.lastRun !== undefined && { lastRun: state.lastRun }) };
      },
    });
  }

  /** Development-only route for `npm run blocks:job -- run` (local/admin-route.ts). */
  routes(): HttpRoute[] {
    return [
      adminRoute('POST', `schedules/${this.scope.name}/${this.id}/run`, async () => {
        const scheduledTime = new Date().toISOString();
        try {
          await this.runNow(scheduledTime);
          return { scheduledTime, outcome: 'succeeded' };
        } catch (error) {
          // Reported to the caller as a result: the run's failure is the app's, not the route's.
          return { scheduledTime, outcome: 'failed', error: error instanceof Error ? error.message : String(error) };
        }
      }),
    ];
  }

  startBackground(current: () => Promise<BackgroundBlock | undefined>): BackgroundWork {
    return startSchedule(async () => {
      const block = await current();
      return isCronJob(block) ? block : undefined;
    });
  }
}

/** Duck-typed: the dev server may hand back a CronJob of the kit's other module copy (Vite's), where instanceof fails. */
function isCronJob(block: BackgroundBlock | undefined): block is BackgroundBlock & DeclaredCronJob {
  const candidate = block as Partial<DeclaredCronJob> | undefined;
  return typeof candidate?.runNow === 'function' && typeof candidate.schedule === 'object';
}
