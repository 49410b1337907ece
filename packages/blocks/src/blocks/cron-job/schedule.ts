/**
 * EventBridge Scheduler's schedule expressions, checked by its own rules so a
 * schedule that would fail to deploy fails at startup instead, with the
 * reason. Computing the times (croner) lives in next-run.ts, which only the
 * local and cdk variants load: the deployed function never computes a time,
 * and croner is a seventh of its bundle.
 *
 * - `cron(minutes hours day-of-month month day-of-week year)`: six fields;
 *   one of day-of-month and day-of-week must be `?`; day-of-week 1-7 is
 *   SUN-SAT; `L`, `W` (day-of-month) and `L`, `#` (day-of-week) as AWS has
 *   them.
 * - `rate(value unit)`: a positive whole number of minutes, hours or days,
 *   the unit singular exactly when the value is 1. Counted from when the
 *   schedule starts (deployed: its creation; locally: the dev server's start).
 * - `at(yyyy-mm-ddThh:mm:ss)`: once, in the schedule's time zone.
 */
export type ParsedSchedule =
  | { readonly kind: 'cron'; readonly expression: string; readonly fields: readonly string[] }
  | { readonly kind: 'rate'; readonly expression: string; readonly everyMs: number }
  | { readonly kind: 'at'; readonly expression: string; readonly localTime: string };

/** A schedule expression EventBridge Scheduler would refuse; the message says why. */
export class InvalidScheduleError extends TypeError {
  override name = 'InvalidScheduleError';
}

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special forms beyond numbers, ranges, steps and `*`. */
  readonly special?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  // L (last day), LW (last weekday), 15W (weekday nearest the 15th).
  { name: 'day-of-month', min: 1, max: 31, special: /^(L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // 6L (last Friday), 2#1 (first Monday); names allowed in both.
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199 },
];

function fail(expression: string, reason: string): never {
  throw new InvalidScheduleError(`Invalid schedule "${expression}": ${reason}.`);
}

/** A number or name of `rule`, or undefined when it is neither. */
function valueOf(token: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = rule.names?.indexOf(token.toUpperCase()) ?? -1;
  return index === -1 ? undefined : index + rule.min;
}

function checkValue(expression: string, token: string, rule: FieldRule): number {
  const value = valueOf(token, rule);
  if (value === undefined) fail(expression, `${rule.name} has "${token}", which is not a number${rule.names ? ' or a name' : ''}`);
  if (value < rule.min || value > rule.max) fail(expression, `${rule.name} must be ${rule.min}-${rule.max}, got ${token}`);
  return value;
}

function checkSpecial(expression: string, item: string, rule: FieldRule): void {
  const day = /^(\d{1,2})W$/i.exec(item);
  if (day !== null) checkValue(expression, day[1] as string, rule);
  const nth = /^(\w+)(?:L|#[1-5])$/i.exec(item);
  if (nth !== null && rule.name === 'day-of-week') checkValue(expression, nth[1] as string, rule);
}

function checkField(expression: string, field: string, rule: FieldRule): void {
  if (field === '?') {
    if (rule.name !== 'day-of-month' && rule.name !== 'day-of-week') fail(expression, `"?" is only allowed in day-of-month or day-of-week, not in ${rule.name}`);
    return;
  }
  for (const item of field.split(',')) {
    if (item === '') fail(expression, `${rule.name} has an empty list item`);
    if (rule.special?.test(item.toUpperCase())) {
      if (field.includes(',') && /L/i.test(item)) fail(expression, `${rule.name} cannot list "${item}" with other values`);
      checkSpecial(expression, item, rule);
      continue;
    }
    const step = /^(.+)\/(\d+)$/.exec(item);
    const range = step ? (step[1] as string) : item;
    if (step) {
      const by = Number(step[2]);
      if (by < 1 || by > rule.max) fail(expression, `${rule.name} step must be 1-${rule.max}, got ${step[2]}`);
    }
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) fail(expression, `${rule.name} has a malformed range "${range}"`);
    const [from, to] = bounds.map((bound) => checkValue(expression, bound, rule)) as [number, number | undefined];
    // Day-of-week ranges may wrap (FRI-MON); other fields count upwards.
    if (to !== undefined && to < from && rule.name !== 'day-of-week') fail(expression, `${rule.name} range "${range}" runs backwards`);
  }
}

const RATE = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/;
const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** The expression checked and taken apart; throws InvalidScheduleError with the reason. */
export function parseSchedule(expression: string): ParsedSchedule {
  if (typeof expression !== 'string') throw new InvalidScheduleError(`Invalid schedule: expected a string like "rate(1 day)" or "cron(0 3 * * ? *)".`);
  const form = /^(cron|rate|at)\((.*)\)$/.exec(expression);
  if (form === null) fail(expression, 'expected cron(...), rate(...) or at(...)');
  const [, kind, body = ''] = form;
  if (kind === 'rate') {
    const rate = RATE.exec(body.trim());
    if (rate === null) fail(expression, 'expected rate(<value> <minute|minutes|hour|hours|day|days>)');
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    if (!Number.isSafeInteger(value) || value < 1) fail(expression, 'the rate value must be a positive whole number');
    const singular = !unit.endsWith('s');
    if (value === 1 && !singular) fail(expression, `use the singular unit for 1 ("1 ${unit.slice(0, -1)}")`);
    if (value !== 1 && singular) fail(expression, `use the plural unit for ${value} ("${value} ${unit}s")`);
    return { kind: 'rate', expression, everyMs: value * (UNIT_MS[singular ? unit : unit.slice(0, -1)] as number) };
  }
  if (kind === 'at') {
    const at = AT.exec(body);
    if (at === null) fail(expression, 'expected at(yyyy-mm-ddThh:mm:ss)');
    const [, y, mo, d, h, mi, s] = at.map(Number) as [number, number, number, number, number, number, number];
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) fail(expression, `${body} is not a valid date and time`);
    return { kind: 'at', expression, localTime: body };
  }
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    fail(expression, `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  }
  const [dayOfMonth, , dayOfWeek] = fields.slice(2);
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    fail(expression, dayOfMonth === '?' ? 'day-of-month and day-of-week cannot both be "?"; give a value or * in one' : 'day-of-month and day-of-week cannot both be specified; use ? in one');
  }
  fields.forEach((field, index) => checkField(expression, field, FIELDS[index] as FieldRule));
  return { kind: 'cron', expression, fields };
}

/** Throws InvalidScheduleError unless `timezone` is an IANA time zone name this runtime knows. */
export function checkTimezone(timezone: string): string {
  try {
    if (typeof timezone !== 'string' || timezone === '') throw new RangeError('empty');
    // The default, valid in every ICU build: skipping Intl here spares each Lambda cold start
    // that constructs a CronJob the ~12 ms a first Intl.DateTimeFormat spends loading ICU data.
    if (timezone === 'UTC') return timezone;
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new InvalidScheduleError(`Invalid timezone "${String(timezone)}": expected an IANA time zone name such as "Europe/Paris" or "UTC".`);
  }
  return timezone;
}
