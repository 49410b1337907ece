/**
 * When a schedule is next due, computed by croner in its 7-part (Quartz)
 * mode, which reads AWS's cron fields once seconds are put in front. Only the
 * local variant (the dev server runs schedules) and the cdk variant (a last
 * check at synthesis) load this module; the deployed function never does.
 */
import { Cron } from 'croner';
import { InvalidScheduleError, parseSchedule, type ParsedSchedule } from './schedule.js';

function cronFor(schedule: Extract<ParsedSchedule, { kind: 'cron' }>, timezone: string): Cron {
  // Seconds first (always 0); AWS numbers weekdays 1=SUN like Quartz; AWS allows `0/5`.
  return new Cron(`0 ${schedule.fields.join(' ')}`, {
    mode: '7-part',
    alternativeWeekdays: true,
    sloppyRanges: true,
    timezone,
    paused: true,
  });
}

/**
 * `parseSchedule`, plus the check that croner can compute the expression:
 * it catches the few combinations the field rules let through that no time
 * can match the way AWS reads them. Throws InvalidScheduleError with the reason.
 */
export function parseComputableSchedule(expression: string): ParsedSchedule {
  const schedule = parseSchedule(expression);
  if (schedule.kind !== 'cron') return schedule;
  try {
    cronFor(schedule, 'UTC');
  } catch (error) {
    throw new InvalidScheduleError(`Invalid schedule "${expression}": ${(error as Error).message.replace(/^CronPattern:\s*/, '')}.`);
  }
  return schedule;
}

/**
 * The first time the schedule is due strictly after `after`, or undefined
 * when it never is again. `startedAt` anchors rate schedules.
 */
export function nextRun(schedule: ParsedSchedule, timezone: string, after: Date, startedAt: Date): Date | undefined {
  if (schedule.kind === 'rate') {
    const elapsed = Math.max(0, after.getTime() - startedAt.getTime());
    return new Date(startedAt.getTime() + (Math.floor(elapsed / schedule.everyMs) + 1) * schedule.everyMs);
  }
  if (schedule.kind === 'at') {
    const once = new Cron(schedule.localTime, { timezone, paused: true });
    const when = once.nextRun(new Date(after.getTime() - 1));
    return when !== null && when.getTime() > after.getTime() ? when : undefined;
  }
  return cronFor(schedule, timezone).nextRun(after) ?? undefined;
}
