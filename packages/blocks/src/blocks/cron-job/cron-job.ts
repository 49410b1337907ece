/**
 * What `new CronJob(scope, id, options)` is in every runtime: a declaration
 * whose schedule and time zone are checked at construction locally and at
 * synthesis (so a bad one stops the app or the deploy, with the reason), and
 * the one way a scheduled run is made and logged.
 */
import { bindingKey } from '../../core/binding.js';
import { checkedOptions, type OptionCheck } from '../../core/option-check.js';
import { consoleSink, createRunLogger, logRun, withTimeout, type LogSink } from '../../core/run-log.js';
import type { Scope, ScopedResource } from '../../core/scope.js';
import type { CronJobOptions } from './public.js';
import { checkTimezone, parseSchedule, type ParsedSchedule } from './schedule.js';

/** Longest a scheduled run may take (the worker function's timeout asks for at least this). */
export const CRON_TIMEOUT_SECONDS = 300;

export abstract class DeclaredCronJob implements ScopedResource {
  readonly kind = 'CronJob';
  readonly scope: Scope;
  readonly id: string;
  readonly handler: CronJobOptions['handler'];
  /** Where run lines go (tests capture them). */
  logSink: LogSink = consoleSink;
  readonly #declared: () => { readonly schedule: ParsedSchedule; readonly timezone: string };

  /**
   * `parse` is the field rules alone in the deployed function, and those
   * rules plus croner's own check where times are computed (next-run.ts).
   * The deployed function never reads the schedule (Scheduler keeps it), so
   * there `check` is 'on-first-use' and it is not parsed at all (core/option-check.ts).
   */
  constructor(scope: Scope, id: string, options: CronJobOptions, parse: (expression: string) => ParsedSchedule = parseSchedule, check: OptionCheck = 'at-construction') {
    if (typeof options?.handler !== 'function') throw new TypeError(`CronJob "${scope.name}/${id}" needs a handler function.`);
    const { schedule, timezone = 'UTC' } = options;
    this.#declared = checkedOptions(check, () => ({ schedule: parse(schedule), timezone: checkTimezone(timezone) }));
    this.handler = options.handler;
    this.scope = scope;
    this.id = id;
    scope.register(this);
  }

  get schedule(): ParsedSchedule {
    return this.#declared().schedule;
  }

  get timezone(): string {
    return this.#declared().timezone;
  }

  /** Runs the handler now, as if it were due at `scheduledTime`; logs the run; rejects with its failure. */
  async runNow(scheduledTime: string = new Date().toISOString()): Promise<void> {
    const block = bindingKey(this);
    const started = performance.now();
    let failure: { error: unknown } | undefined;
    try {
      const log = createRunLogger({ block, scheduledTime }, this.logSink);
      await withTimeout(() => this.handler({ scheduledTime, log }), CRON_TIMEOUT_SECONDS, `Schedule ${block}`);
    } catch (error) {
      failure = { error };
    }
    logRun(
      {
        msg: 'schedule run',
        kind: this.kind,
        block,
        durationMs: Math.round(performance.now() - started),
        outcome: failure ? 'failed' : 'succeeded',
        fields: { scheduledTime },
        ...(failure && { error: failure.error }),
      },
      this.logSink,
    );
    if (failure) throw failure.error;
  }
}
