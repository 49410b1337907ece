/**
 * The Blocks' console sections (each Block folder's console.ts) driven
 * through the contract the console uses: `consoleSection()` of the local
 * variant, actions with JSON input, ApiErrors for the page to show.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isConsoleBlock, type ConsoleSection } from '../../core/console-panel.js';
import { Scope } from '../../core/scope.js';
import { AppSetting, AsyncJob, AuthBasic, CronJob, EmailClient, FileBucket, KVStore } from '../../index.js';

let dataDir: string;
const previous = process.env.BLOCKS_DATA_DIR;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-console-sections-'));
  process.env.BLOCKS_DATA_DIR = dataDir;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.BLOCKS_DATA_DIR;
  else process.env.BLOCKS_DATA_DIR = previous;
  await rm(dataDir, { recursive: true, force: true });
});

const scope = new Scope('console-test');
const run = <T>(section: ConsoleSection, action: string, input: Record<string, unknown> = {}): Promise<T> => section.actions[action]!(input) as Promise<T>;

interface ItemView {
  key: string;
  value: unknown;
  version: number;
  expiresAt?: string;
}

describe('KVStore section', () => {
  const store = new KVStore<{ text: string }>(scope, 'items');
  const section = store.consoleSection();

  it('browses by prefix with paging, shows version and TTL', async () => {
    for (let i = 0; i < 30; i += 1) await store.put(`a/${String(i).padStart(2, '0')}`, { text: `item ${i}` });
    await store.put('b/1', { text: 'other' }, { ttlSeconds: 3600 });
    expect(isConsoleBlock(store)).toBe(true);
    expect(section).toMatchObject({ ui: 'kv-store', tab: 'Data' });
    const first = await run<{ items: ItemView[]; cursor?: string }>(section, 'list', { prefix: 'a/' });
    expect(first.items).toHaveLength(25);
    expect(first.cursor).toBeDefined();
    const second = await run<{ items: ItemView[]; cursor?: string }>(section, 'list', { prefix: 'a/', cursor: first.cursor });
    expect(second.items.map((item) => item.key)).toEqual(['a/25', 'a/26', 'a/27', 'a/28', 'a/29']);
    const { item } = await run<{ item: ItemView }>(section, 'get', { key: 'b/1' });
    expect(item).toMatchObject({ key: 'b/1', value: { text: 'other' }, version: 1 });
    expect(Date.parse(item.expiresAt!)).toBeGreaterThan(Date.now());
  });

  it('saves with the version it was read at: a newer write is a 409 conflict', async () => {
    const { item } = await run<{ item: ItemView }>(section, 'get', { key: 'a/00' });
    await store.put('a/00', { text: 'written by the app meanwhile' });
    await expect(run(section, 'put', { key: 'a/00', value: { text: 'console edit' }, ifVersion: item.version })).rejects.toMatchObject({ status: 409 });
    expect((await store.get('a/00'))?.value.text).toBe('written by the app meanwhile');
    const fresh = (await store.get('a/00'))!;
    const saved = await run<{ item: ItemView }>(section, 'put', { key: 'a/00', value: { text: 'console edit' }, ifVersion: fresh.version });
    expect(saved.item).toMatchObject({ value: { text: 'console edit' }, version: fresh.version + 1 });
  });

  it('creates only new keys, deletes, and refuses bad input with a 400', async () => {
    await run(section, 'put', { key: 'new/1', value: [1, 2], create: true });
    await expect(run(section, 'put', { key: 'new/1', value: 3, create: true })).rejects.toMatchObject({ status: 409 });
    expect(await run(section, 'delete', { key: 'new/1' })).toEqual({ deleted: true });
    expect(await store.get('new/1')).toBeUndefined();
    await expect(run(section, 'get', { key: 42 })).rejects.toMatchObject({ status: 400 });
    await expect(run(section, 'put', { key: 'x' })).rejects.toMatchObject({ status: 400 });
    await expect(run(section, 'list', { limit: -1 })).rejects.toMatchObject({ status: 400 });
  });

  it('exports JSON lines and imports them back; a bad file changes nothing', async () => {
    const { lines } = await run<{ lines: string }>(section, 'export', { prefix: 'a/' });
    expect(lines.trimEnd().split('\n')).toHaveLength(30);
    const copy = new KVStore<{ text: string }>(scope, 'copy').consoleSection();
    await expect(run(copy, 'import', { lines: `${lines}not json\n` })).rejects.toMatchObject({ status: 400 });
    expect((await run<{ items: unknown[] }>(copy, 'list')).items).toEqual([]);
    expect(await run(copy, 'import', { lines })).toEqual({ imported: 30 });
    expect((await run<{ items: ItemView[] }>(copy, 'list', { limit: 200 })).items.map((item) => item.key)).toHaveLength(30);
  });
});

describe('AppSetting section', () => {
  const secret = new AppSetting(scope, 'api-key', { secret: true });
  const plain = new AppSetting(scope, 'currency', { default: 'EUR' });

  it('shows plain values, masks secrets, sets new values and reports the secret to the log', async () => {
    expect(await run(plain.consoleSection(), 'get')).toEqual({ source: 'default', isSet: true, value: 'EUR' });
    expect(await run(secret.consoleSection(), 'get')).toEqual({ source: 'unset', isSet: false, value: null });
    await run(secret.consoleSection(), 'set', { value: 'sk_test_0123456789' });
    await run(plain.consoleSection(), 'set', { value: 'USD' });
    expect(await secret.get()).toBe('sk_test_0123456789');
    expect(await run(secret.consoleSection(), 'get')).toEqual({ source: 'file', isSet: true, value: null });
    expect(await run(plain.consoleSection(), 'get')).toEqual({ source: 'file', isSet: true, value: 'USD' });
    expect(await secret.consoleSection().secrets?.()).toEqual(['sk_test_0123456789']);
    expect(await plain.consoleSection().secrets?.()).toEqual([]);
    await expect(run(plain.consoleSection(), 'set', { value: '' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('EmailClient section', () => {
  it('lists the outbox newest first with codes and links picked out', async () => {
    const mail = new EmailClient(scope, 'mail', { from: 'no-reply@example.com' });
    await mail.send({ to: 'ada@example.com', subject: 'Welcome', text: 'Hello' });
    await mail.send({ to: 'ada@example.com', subject: 'Your code', text: 'Your code is 482913. Or open https://example.com/verify?c=482913 to confirm.' });
    const { messages } = await run<{ messages: { subject: string; codes: string[]; links: string[] }[] }>(mail.consoleSection(), 'list');
    expect(messages.map((message) => message.subject)).toEqual(['Your code', 'Welcome']);
    expect(messages[0]).toMatchObject({ codes: ['482913'], links: ['https://example.com/verify?c=482913'] });
    expect(messages[1]).toMatchObject({ codes: [], links: [] });
  });
});

describe('FileBucket section', () => {
  it('lists files, gives short-lived view and download URLs, deletes', async () => {
    const bucket = new FileBucket(scope, 'files');
    await bucket.put('pics/a.png', new Uint8Array([137, 80, 78, 71]), { contentType: 'image/png' });
    const section = bucket.consoleSection();
    const { items } = await run<{ items: { key: string; size: number }[] }>(section, 'list', { prefix: 'pics/' });
    expect(items).toEqual([expect.objectContaining({ key: 'pics/a.png', size: 4 })]);
    const { file } = await run<{ file: { contentType: string; viewUrl: string; downloadUrl: string } }>(section, 'open', { key: 'pics/a.png' });
    expect(file.contentType).toBe('image/png');
    expect(file.viewUrl).toMatch(/^\/aws-blocks\/files\/console-test\/files\/pics\/a\.png\?/);
    expect(file.downloadUrl).toContain('filename=a.png');
    expect(await run(section, 'open', { key: 'missing' })).toEqual({ file: null });
    await run(section, 'delete', { key: 'pics/a.png' });
    expect(await bucket.head('pics/a.png')).toBeUndefined();
  });
});

describe('AuthBasic section', () => {
  it('lists accounts without password hashes, confirms, signs out everywhere and deletes', async () => {
    const auth = new AuthBasic(scope, 'auth');
    const api = auth.createApi();
    const users = scope.resources.get('auth-users') as KVStore<Record<string, unknown>>;
    await users.put('ada', { username: 'ada', createdAt: new Date().toISOString(), confirmed: false, password: { hash: 'secret-hash' }, sessionEpoch: 0 });
    expect(api).toBeDefined();
    const section = auth.consoleSection();
    expect(section).toMatchObject({ ui: 'auth-basic', tab: 'AuthBasic users' });
    const listed = await run<{ users: Record<string, unknown>[] }>(section, 'list');
    expect(listed.users).toEqual([expect.objectContaining({ username: 'ada', confirmed: false })]);
    expect(JSON.stringify(listed)).not.toContain('secret-hash');
    await run(section, 'confirm', { username: 'ada' });
    await run(section, 'signOutEverywhere', { username: 'ada' });
    expect((await users.get('ada'))?.value).toMatchObject({ confirmed: true, sessionEpoch: 1 });
    await run(section, 'delete', { username: 'ada' });
    await expect(run(section, 'delete', { username: 'ada' })).rejects.toMatchObject({ status: 404 });
  });
});

interface JobView {
  jobId: string;
  group: string;
  attempts: number;
  runAt: string;
  lastError?: string;
  requestId?: string;
  payload: unknown;
}
interface JobListing {
  jobs: JobView[];
  counts: Record<string, number>;
}

const WAIT = { timeout: 10_000, interval: 20 };

describe('AsyncJob section', () => {
  it('lists failed and dead-lettered jobs with their last error; re-drive through a fresh declaration of the same Block puts it back in the live queue, and it runs', async () => {
    let failing = true;
    const ran: number[] = [];
    const declare = (name: string) =>
      new AsyncJob<{ n: number }>(new Scope(name), 'exports', {
        retries: 1,
        handler: async ({ n }) => {
          if (failing) throw new Error(`export ${n} failed`);
          ran.push(n);
        },
      });
    const job = declare('console-jobs');
    job.logSink = () => undefined;
    // A backoff long enough to see the job between its attempts, however loaded the machine.
    job.queueOptions = { backoffMs: () => 1500, pollMs: 20 };
    // The dev server declares the app anew on each load: the console acts through another
    // instance of the same (scope, id) than the one whose queue the runner works.
    const reloaded = declare('console-jobs');
    const section = reloaded.consoleSection();
    expect(section).toMatchObject({ ui: 'async-job', tab: 'Jobs', info: { retries: 1 } });
    const work = job.startBackground(async () => job);
    try {
      const { jobId } = await job.enqueue({ n: 7 });
      const failed = await vi.waitFor(async () => {
        const listing = await run<JobListing>(section, 'list');
        const found = listing.jobs.find((candidate) => candidate.jobId === jobId && candidate.group === 'failed');
        if (!found) throw new Error('not failed yet');
        return found;
      }, WAIT);
      expect(failed).toMatchObject({ attempts: 1, lastError: 'export 7 failed', payload: { n: 7 } });
      expect(Date.parse(failed.runAt)).toBeGreaterThan(Date.now());
      const dead = await vi.waitFor(async () => {
        const listing = await run<JobListing>(section, 'list');
        if (listing.counts.dead !== 1) throw new Error('not dead-lettered yet');
        return listing.jobs.find((candidate) => candidate.group === 'dead');
      }, WAIT);
      expect(dead).toMatchObject({ jobId, attempts: 2, lastError: 'export 7 failed' });

      failing = false;
      expect(await run(section, 'redrive', { jobId })).toEqual({ redriven: true, jobId });
      await vi.waitFor(async () => {
        const listing = await run<JobListing>(section, 'list');
        if (listing.counts.succeeded !== 1) throw new Error('not run yet');
      }, WAIT);
      expect(ran).toEqual([7]);
      // Only a dead letter can be re-driven; a wrong id or input is a client error.
      await expect(run(section, 'redrive', { jobId })).rejects.toMatchObject({ status: 404 });
      await expect(run(section, 'redrive', { jobId: 42 })).rejects.toMatchObject({ status: 400 });
    } finally {
      await work.stop();
    }
  });
});

describe('CronJob section', () => {
  interface ScheduleStatus {
    schedule: string;
    timezone: string;
    nextRunAt: string | null;
    lastRun: { outcome: string; error?: string } | null;
  }

  it('shows the schedule, its next run in its time zone, runs the handler now and remembers the outcome', async () => {
    const runs: string[] = [];
    let fail = false;
    const cron = new CronJob(new Scope('console-cron'), 'prune', {
      schedule: 'cron(0 3 * * ? *)',
      timezone: 'Europe/Paris',
      handler: async ({ scheduledTime }) => {
        if (fail) throw new Error('prune failed');
        runs.push(scheduledTime);
      },
    });
    cron.logSink = () => undefined;
    const section = cron.consoleSection();
    expect(section).toMatchObject({ ui: 'cron-job', tab: 'Jobs', info: { schedule: 'cron(0 3 * * ? *)', timezone: 'Europe/Paris' } });
    const before = await run<ScheduleStatus>(section, 'status');
    expect(before).toMatchObject({ schedule: 'cron(0 3 * * ? *)', timezone: 'Europe/Paris', lastRun: null });
    const next = new Date(before.nextRunAt!);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(25 * 3600 * 1000);
    // 03:00 in Paris is 01:00 or 02:00 UTC (summer or winter time).
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('03:00');

    const done = await run<{ outcome: string; scheduledTime: string }>(section, 'runNow');
    expect(done.outcome).toBe('succeeded');
    expect(runs).toEqual([done.scheduledTime]);
    expect((await run<ScheduleStatus>(section, 'status')).lastRun).toMatchObject({ outcome: 'succeeded' });

    fail = true;
    expect(await run(section, 'runNow')).toMatchObject({ outcome: 'failed', error: 'prune failed' });
    expect((await run<ScheduleStatus>(section, 'status')).lastRun).toMatchObject({ outcome: 'failed', error: 'prune failed' });
  });

  it('shows the time the running scheduler is armed for', async () => {
    const cron = new CronJob(new Scope('console-cron-rate'), 'tick', { schedule: 'rate(5 minutes)', handler: async () => undefined });
    const startedAt = Date.now();
    const work = cron.startBackground(async () => cron);
    try {
      const status = await vi.waitFor(async () => {
        const answer = await run<ScheduleStatus>(cron.consoleSection(), 'status');
        if (answer.nextRunAt === null) throw new Error('not armed');
        return answer;
      });
      const due = Date.parse(status.nextRunAt!) - startedAt;
      expect(due).toBeGreaterThan(4 * 60_000);
      expect(due).toBeLessThanOrEqual(5 * 60_000 + 1000);
    } finally {
      await work.stop();
    }
  });
});
