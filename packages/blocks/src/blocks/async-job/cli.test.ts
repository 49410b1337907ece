/**
 * `npm run blocks:job` against a running dev server: it lists a queue and
 * its dead letters, re-drives one (which then runs in the dev server), and
 * runs a schedule now, all through the dev server's local admin routes;
 * those routes refuse a caller without the admin header. With no dev server
 * it still lists (reading the files) and runs a schedule in its own process.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlocksDevServer, type BlocksDevServer } from '../../dev/server.js';
import { runJobCli } from './cli.js';

const appDir = path.resolve(import.meta.dirname, '../../../test-tmp', `job-cli-${process.pid}`);
const entry = path.join(appDir, 'index.ts');
const flagFile = path.join(appDir, 'healthy');
const cronFile = path.join(appDir, 'cron.log');

const appSource = `
import { appendFileSync, existsSync } from 'node:fs';
import { ApiNamespace, AsyncJob, CronJob, Scope } from 'blocks-kit';
const scope = new Scope('cli');
const flaky = new AsyncJob<string>(scope, 'flaky', {
  retries: 0,
  handler: async () => {
    if (!existsSync(${JSON.stringify(flagFile)})) throw new Error('not healthy yet');
  },
});
new CronJob(scope, 'nightly', {
  schedule: 'cron(0 3 * * ? *)',
  handler: async ({ scheduledTime }) => { appendFileSync(${JSON.stringify(cronFile)}, scheduledTime + '\\n'); },
});
export const app = new ApiNamespace(scope, 'app', () => ({ request: async () => flaky.enqueue('x') }));
`;

let server: BlocksDevServer;

function capture(): { io: { out(line: string): void; err(line: string): void }; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (line) => out.push(line), err: (line) => err.push(line) }, out, err };
}

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const { io, out, err } = capture();
  const code = await runJobCli([...args, '--app', entry, '--url', server.url], io, {});
  return { code, out, err };
}

beforeAll(async () => {
  await mkdir(appDir, { recursive: true });
  await writeFile(entry, appSource);
  server = await startBlocksDevServer({ entry: path.relative(process.cwd(), entry) });
});

afterAll(async () => {
  await server?.close();
  await rm(appDir, { recursive: true, force: true });
});

describe('npm run blocks:job', () => {
  it('lists a dead letter, re-drives it through the dev server, and the job then succeeds', async () => {
    const response = await fetch(server.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'app.request' }),
    });
    const { jobId } = ((await response.json()) as { result: { jobId: string } }).result;
    await expect.poll(async () => (await cli('dead')).out).toEqual([expect.stringMatching(new RegExp(`^cli/flaky\\t${jobId}\\tdead\\tattempts=1\\t.*not healthy yet$`))]);

    await writeFile(flagFile, '');
    const redriven = await cli('redrive', jobId);
    expect(redriven).toMatchObject({ code: 0, out: [`Re-queued ${jobId} on cli/flaky`] });
    await expect.poll(async () => (await cli('list', 'cli/flaky')).out).toEqual([expect.stringMatching(new RegExp(`\\t${jobId}\\tsucceeded\\t`))]);
    expect((await cli('dead')).out).toEqual([]);
    expect(await cli('redrive', jobId)).toMatchObject({ code: 1, err: [`${jobId} is not a dead-lettered job.`] });
  });

  it('runs a CronJob now in the dev server', async () => {
    const result = await cli('run', 'cli/nightly');
    expect(result).toMatchObject({ code: 0, out: ['cli/nightly: succeeded (in the dev server)'] });
    expect((await readFile(cronFile, 'utf8')).trim().split('\n')).toHaveLength(1);
  });

  it('names what is declared when a key is wrong, and refuses bad usage', async () => {
    expect(await cli('run', 'cli/nope')).toMatchObject({ code: 1, err: [expect.stringContaining('declares no CronJob "cli/nope" (declared: cli/nightly)')] });
    expect(await cli('list', 'cli/nope')).toMatchObject({ code: 1, err: [expect.stringContaining('(declared: cli/flaky)')] });
    expect((await cli('frobnicate')).code).toBe(2);
    expect((await cli('redrive')).code).toBe(2);
  });

  it('serves the admin routes only to callers sending the admin header', async () => {
    const response = await fetch(`${server.url}/aws-blocks/local-admin/jobs/cli/flaky`);
    expect(response.status).toBe(403);
  });

  it('without a dev server, runs the schedule in its own process', async () => {
    const { io, out } = capture();
    const code = await runJobCli(['run', 'cli/nightly', '--app', entry, '--url', 'http://127.0.0.1:9'], io, {});
    expect(code).toBe(0);
    expect(out).toEqual(['cli/nightly: succeeded (in this process; no dev server at http://127.0.0.1:9)']);
    expect((await readFile(cronFile, 'utf8')).trim().split('\n')).toHaveLength(2);
  });
});
