/**
 * The dev server works the app's background Blocks in its own process: a
 * job enqueued by an API call runs without any other process, carries the
 * call's request id, and an edit to its handler applies to the next run
 * without a restart (the Block is looked up in the freshly loaded app).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlocksDevServer, type BlocksDevServer } from './server.js';

// Inside the repo (gitignored) so the app can resolve `blocks-kit`.
const appDir = path.resolve(import.meta.dirname, '../../test-tmp', `background-${process.pid}`);
const entry = path.join(appDir, 'index.ts');
const runsFile = path.join(appDir, 'runs.log');

const appSource = (version: string) => `
import { appendFileSync } from 'node:fs';
import { ApiNamespace, AsyncJob, Scope } from 'blocks-kit';
const scope = new Scope('background');
const work = new AsyncJob<{ n: number }>(scope, 'work', {
  handler: async ({ n }, { requestId }) => {
    appendFileSync(${JSON.stringify(runsFile)}, ${JSON.stringify(version)} + ' ' + n + ' ' + requestId + '\\n');
  },
});
export const app = new ApiNamespace(scope, 'app', () => ({
  request: async (n: number) => work.enqueue({ n }),
}));
`;

let server: BlocksDevServer;

async function request(n: number): Promise<{ requestId: string; jobId: string }> {
  const response = await fetch(server.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'app.request', params: [n] }),
  });
  const body = (await response.json()) as { result: { jobId: string } };
  return { requestId: response.headers.get('x-request-id') ?? '', jobId: body.result.jobId };
}

const runs = async (): Promise<string[]> => (await readFile(runsFile, 'utf8').catch(() => '')).split('\n').filter(Boolean);

beforeAll(async () => {
  await mkdir(appDir, { recursive: true });
  await writeFile(entry, appSource('v1'));
  server = await startBlocksDevServer({ entry: path.relative(process.cwd(), entry) });
});

afterAll(async () => {
  await server?.close();
  await rm(appDir, { recursive: true, force: true });
});

describe('dev server background work', () => {
  it('runs an enqueued job in the dev server with the request id, and the edited handler on the next run', async () => {
    const first = await request(1);
    expect(first.jobId).toMatch(/^[0-9a-f-]{36}$/);
    await expect.poll(runs).toEqual([`v1 1 ${first.requestId}`]);

    await writeFile(entry, appSource('v2'));
    // The API picks up the edit on its next call; the job runs the new handler.
    const second = await request(2);
    await expect.poll(runs).toEqual([`v1 1 ${first.requestId}`, `v2 2 ${second.requestId}`]);
  });
});
