/**
 * The local CronJob: a bad schedule stops the app at construction, the dev
 * server's scheduler runs the handler of the current declaration when due,
 * `runNow` runs it on demand, and every run ends with one JSON line.
 */
import { describe, expect, it } from 'vitest';
import type { BackgroundWork } from '../../core/background.js';
import { Scope } from '../../core/scope.js';
import { CronJob as DeployedCronJob } from './index.aws.js';
import { CronJob, InvalidScheduleError, type CronContext } from './index.js';

let count = 0;
const newScope = (): Scope => new Scope(`cron-${process.pid}-${++count}`);

function inSeconds(seconds: number): string {
  // at() takes local time in the schedule's zone; UTC keeps this simple.
  return new Date(Date.now() + seconds * 1000).toISOString().slice(0, 19);
}

describe('CronJob (local)', () => {
  it('refuses a bad schedule or time zone at construction, with the reason', () => {
    const handler = async (): Promise<void> => undefined;
    expect(() => new CronJob(newScope(), 'a', { schedule: 'cron(0 3 * * * *)', handler })).toThrow(InvalidScheduleError);
    expect(() => new CronJob(newScope(), 'b', { schedule: 'cron(0 3 * * * *)', handler })).toThrow(/use \? in one/);
    expect(() => new CronJob(newScope(), 'c', { schedule: 'rate(1 day)', timezone: 'Nowhere/Land', handler })).toThrow(/Invalid timezone/);
    expect(() => new CronJob(newScope(), 'd', { schedule: 'rate(1 day)' } as never)).toThrow(/needs a handler/);
  });

  it('runs the current declaration when due, and logs the run', async () => {
    const lines: string[] = [];
    const seen: { who: string; context: CronContext }[] = [];
    const scope = newScope();
    const declared = new CronJob(scope, 'tick', {
      schedule: `at(${inSeconds(2)})`,
      handler: async (context) => {
        seen.push({ who: 'old', context });
      },
    });
    // The edited declaration the dev server would load after a change.
    const edited = new CronJob(newScope(), 'tick', {
      schedule: declared.schedule.expression,
      handler: async (context) => {
        seen.push({ who: 'new', context });
        context.log.info('pruned', { files: 3 });
      },
    });
    edited.logSink = (_level, line) => lines.push(line);
    const work: BackgroundWork = declared.startBackground(async () => edited);
    try {
      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
    } finally {
      await work.stop();
    }
    expect(seen[0]?.who).toBe('new');
    expect(seen[0]?.context.scheduledTime).toBe(`${declared.schedule.expression.slice(3, -1)}.000Z`);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toEqual([
      expect.objectContaining({ level: 'info', msg: 'pruned', files: 3, block: `${edited.scope.name}/tick` }),
      expect.objectContaining({ level: 'info', msg: 'schedule run', outcome: 'succeeded', durationMs: expect.any(Number) }),
    ]);
  });

  it('runNow runs the handler at once and rejects with its failure', async () => {
    const lines: string[] = [];
    let fail = false;
    const job = new CronJob(newScope(), 'nightly', {
      schedule: 'cron(0 3 * * ? *)',
      timezone: 'Europe/Paris',
      handler: async () => {
        if (fail) throw new Error('disk full');
      },
    });
    job.logSink = (_level, line) => lines.push(line);
    await job.runNow('2026-11-30T02:00:00.000Z');
    fail = true;
    await expect(job.runNow()).rejects.toThrow('disk full');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((entry) => [entry.outcome, entry.level])).toEqual([
      ['succeeded', 'info'],
      ['failed', 'error'],
    ]);
    expect(entries[0]?.scheduledTime).toBe('2026-11-30T02:00:00.000Z');
    expect(entries[1]?.error).toBe('disk full');
  });
});

describe('CronJob (aws-runtime)', () => {
  it('does not parse the schedule: Scheduler holds it, and synthesis refused a bad one', () => {
    const handler = async (): Promise<void> => undefined;
    const job = new DeployedCronJob(newScope(), 'bad', { schedule: 'cron(0 3 * * * *)', timezone: 'Nowhere/Land', handler });
    expect(job.handler).toBe(handler);
    // Read only if something asks (nothing deployed does); then the same refusal as at synthesis.
    expect(() => job.schedule).toThrow(/use \? in one/);
    expect(() => new DeployedCronJob(newScope(), 'd', { schedule: 'rate(1 day)' } as never)).toThrow(/needs a handler/);
  });
});
