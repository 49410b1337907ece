/**
 * Schedule expressions by EventBridge Scheduler's rules: what deploys is
 * accepted and computed to the right times (in the schedule's time zone),
 * what would not deploy is refused at construction with the reason.
 */
import { describe, expect, it } from 'vitest';
import { parseComputableSchedule as parseSchedule, nextRun } from './next-run.js';
import { checkTimezone, InvalidScheduleError } from './schedule.js';

const NOW = new Date('2026-11-30T07:00:00Z'); // a Monday

function next(expression: string, timezone = 'UTC', after = NOW, startedAt = NOW): string | undefined {
  return nextRun(parseSchedule(expression), timezone, after, startedAt)?.toISOString();
}

describe('parseSchedule: accepted forms and their next run', () => {
  it.each([
    ['cron(0 3 * * ? *)', 'UTC', '2026-12-01T03:00:00.000Z'],
    ['cron(0 3 * * ? *)', 'Europe/Paris', '2026-12-01T02:00:00.000Z'],
    ['cron(0/5 8-17 ? * MON-FRI *)', 'UTC', '2026-11-30T08:00:00.000Z'],
    ['cron(*/15 * * * ? *)', 'UTC', '2026-11-30T07:15:00.000Z'],
    // AWS numbers weekdays 1=SUN: 6L is the last Friday, 2#1 the first Monday.
    ['cron(15 10 ? * 6L 2026-2027)', 'UTC', '2026-12-25T10:15:00.000Z'],
    ['cron(0 12 ? * 2#1 *)', 'UTC', '2026-12-07T12:00:00.000Z'],
    ['cron(0 9 ? * 1 *)', 'UTC', '2026-12-06T09:00:00.000Z'],
    ['cron(0 12 L * ? *)', 'UTC', '2026-11-30T12:00:00.000Z'],
    ['cron(0 12 15W * ? *)', 'UTC', '2026-12-15T12:00:00.000Z'],
    ['cron(0 0 1 JAN,JUL ? *)', 'UTC', '2027-01-01T00:00:00.000Z'],
    ['cron(0 10 * * ? 2026)', 'UTC', '2026-11-30T10:00:00.000Z'],
    ['rate(1 minute)', 'UTC', '2026-11-30T07:01:00.000Z'],
    ['rate(5 minutes)', 'UTC', '2026-11-30T07:05:00.000Z'],
    ['rate(2 hours)', 'UTC', '2026-11-30T09:00:00.000Z'],
    ['rate(1 day)', 'UTC', '2026-12-01T07:00:00.000Z'],
    ['at(2026-12-01T10:00:00)', 'Europe/Paris', '2026-12-01T09:00:00.000Z'],
  ])('%s (%s) → %s', (expression, timezone, expected) => {
    expect(next(expression, timezone)).toBe(expected);
  });

  it('counts rate schedules from their start and at() only once', () => {
    const startedAt = new Date('2026-11-30T06:58:30Z');
    expect(next('rate(1 minute)', 'UTC', NOW, startedAt)).toBe('2026-11-30T07:00:30.000Z');
    expect(next('at(2026-11-30T06:00:00)')).toBeUndefined();
    expect(next('cron(0 10 * * ? 2025)')).toBeUndefined();
  });
});

describe('parseSchedule: refused, with the reason', () => {
  it.each([
    ['cron(0 3 * * * *)', 'day-of-month and day-of-week cannot both be specified; use ? in one'],
    ['cron(0 3 1 * MON *)', 'day-of-month and day-of-week cannot both be specified'],
    ['cron(0 3 ? * ? *)', 'cannot both be "?"'],
    ['cron(0 3 * * ?)', 'cron needs 6 fields'],
    ['cron(0 0 3 * * ? *)', 'cron needs 6 fields'],
    ['cron(60 3 * * ? *)', 'minutes must be 0-59, got 60'],
    ['cron(0 24 * * ? *)', 'hours must be 0-23'],
    ['cron(0 3 0 * ? *)', 'day-of-month must be 1-31, got 0'],
    ['cron(0 3 * 13 ? *)', 'month must be 1-12'],
    ['cron(0 3 ? * 0 *)', 'day-of-week must be 1-7, got 0'],
    ['cron(0 3 ? * 2#6 *)', 'day-of-week has "2#6"'],
    ['cron(0 3 * * ? 2200)', 'year must be 1970-2199'],
    ['cron(0 ? * * ? *)', '"?" is only allowed in day-of-month or day-of-week'],
    ['cron(0 5-3 * * ? *)', 'runs backwards'],
    ['cron(0 3 * FOO ? *)', 'month has "FOO"'],
    ['cron(0/0 3 * * ? *)', 'step must be'],
    ['cron(0 3 L,5 * ? *)', 'cannot list'],
    ['rate(1 minutes)', 'use the singular unit for 1'],
    ['rate(5 minute)', 'use the plural unit for 5'],
    ['rate(0 minutes)', 'positive whole number'],
    ['rate(1 week)', 'expected rate('],
    ['rate(1.5 hours)', 'expected rate('],
    ['at(2026-02-30T10:00:00)', 'not a valid date'],
    ['at(2026-12-01 10:00)', 'expected at('],
    ['0 3 * * *', 'expected cron(...), rate(...) or at(...)'],
    ['', 'expected cron(...)'],
  ])('%s', (expression, reason) => {
    expect(() => parseSchedule(expression)).toThrow(InvalidScheduleError);
    expect(() => parseSchedule(expression)).toThrow(reason);
  });

  it('refuses, where times are computed, what croner cannot compute', () => {
    // The field rules let a wrapping weekday range through; croner (local runs, synthesis) does not.
    expect(() => parseSchedule('cron(0 3 ? * FRI-MON *)')).toThrow(InvalidScheduleError);
    expect(() => parseSchedule('cron(0 3 ? * FRI-MON *)')).toThrow(/From value is larger than to value/);
  });

  it('refuses unknown time zones', () => {
    expect(checkTimezone('Europe/Paris')).toBe('Europe/Paris');
    expect(checkTimezone('UTC')).toBe('UTC');
    expect(() => checkTimezone('utc ')).toThrow(InvalidScheduleError);
    expect(() => checkTimezone('Mars/Olympus')).toThrow(/Invalid timezone "Mars\/Olympus"/);
    expect(() => checkTimezone('')).toThrow(InvalidScheduleError);
  });
});
