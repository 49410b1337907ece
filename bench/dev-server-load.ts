/**
 * 3. The local dev server under load: `npm run blocks:dev` (started as
 * `node --import tsx packages/blocks/src/dev/cli.ts`, i.e. without npm's
 * wrapper process, so the pid whose memory is read is the server's) with
 * its own data directory. A user is added as `npm run blocks:user -- add`
 * does, signs in over SRP with the unmodified aws-amplify client, and the
 * ID token it gets is replayed by autocannon (10 connections) for an
 * authenticated read (`notes.list`, 20 of 50 seeded notes) and a write
 * (`notes.create`, each an fsynced file). Any error or non-2xx fails the
 * section. RSS is read from /proc before the load and after it.
 *
 * Baseline, in the same run: the same dispatcher and calls behind a bare
 * `node:http` server (bench/target-server.ts), so the ratio is the price of
 * Vite's middleware stack and the local user pool in front of the API.
 */
import { rm } from 'node:fs/promises';
import { Amplify } from 'aws-amplify';
import { fetchAuthSession, signIn } from 'aws-amplify/auth';
import { createLocalUserPool } from '../packages/blocks/src/local/user-pool/index.ts';
import {
  freePort,
  loadTest,
  log,
  osTempDir,
  quick,
  rpcBody,
  rssMiB,
  runIfMain,
  startNode,
  type LoadRequest,
  type LoadResult,
  type Measure,
  type Metric,
} from './helpers.ts';
import type { TargetReady } from './target-server.ts';

const SECTION = 'dev-server-load';
const SECONDS = quick ? 3 : 10;
const BASELINE_SECONDS = quick ? 2 : 5;
const SEED_NOTES = 50;
const EMAIL = 'bench@example.com';
const PASSWORD = 'Bench-Passw0rd!';

const calls = {
  read: { method: 'notes.list', params: { limit: 20 } },
  write: { method: 'notes.create', params: { text: 'a note written under load' } },
} as const;

function loadRequest(url: string, token: string, call: { method: string; params: unknown }): LoadRequest {
  return { url, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: rpcBody(call.method, call.params) };
}

function assertClean(label: string, result: LoadResult): void {
  if (result.errors + result.timeouts + result.non2xx > 0) {
    throw new Error(`${label}: ${result.errors} errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx`);
  }
}

/** The ID token Amplify gets from the local pool over SRP, as the browser would. */
async function signInToken(serverUrl: string): Promise<string> {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: 'local_blocks',
        userPoolClientId: 'local-blocks-client',
        userPoolEndpoint: `${serverUrl}/local-cognito`,
        loginWith: { email: true },
      },
    },
  });
  const result = await signIn({ username: EMAIL, password: PASSWORD });
  if (!result.isSignedIn) throw new Error(`sign-in stopped at ${result.nextStep.signInStep}`);
  const token = (await fetchAuthSession()).tokens?.idToken?.toString();
  if (!token) throw new Error('no ID token after sign-in');
  return token;
}

async function devServer(): Promise<{ read: LoadResult; write: LoadResult; rssBefore?: number; rssAfter?: number; startMs: number }> {
  const dataDir = await osTempDir('dev-server');
  // What `npm run blocks:user -- add` does: the pool's files, written before the server reads them.
  await createLocalUserPool({ dataDir, issuerBaseUrl: 'http://localhost/local-cognito', rateLimit: false }).adminCreateUser({
    email: EMAIL,
    password: PASSWORD,
  });
  const port = await freePort();
  const started = performance.now();
  const server = startNode(['--import', 'tsx', 'packages/blocks/src/dev/cli.ts', '--port', String(port)], {
    env: { BLOCKS_DATA_DIR: dataDir, BLOCKS_MODE: 'local' },
  });
  try {
    await server.waitForLine(/Blocks API \(local\)/);
    const startMs = performance.now() - started;
    const url = `http://127.0.0.1:${port}`;
    const token = await signInToken(url);
    const apiUrl = `${url}/aws-blocks/api`;
    for (let i = 0; i < SEED_NOTES; i++) {
      const response = await fetch(apiUrl, loadInit(loadRequest(apiUrl, token, { method: 'notes.create', params: { text: `seed ${i}` } })));
      if (!response.ok) throw new Error(`seeding answered ${response.status}: ${await response.text()}`);
    }
    const rssBefore = rssMiB(server.pid);
    log(SECTION, `dev server up in ${Math.round(startMs)} ms, RSS ${rssBefore} MiB; loading ${SECONDS} s per call…`);
    await loadTest(loadRequest(apiUrl, token, calls.read), 1);
    const read = await loadTest(loadRequest(apiUrl, token, calls.read), SECONDS);
    assertClean('dev server notes.list', read);
    const write = await loadTest(loadRequest(apiUrl, token, calls.write), SECONDS);
    assertClean('dev server notes.create', write);
    const rssAfter = rssMiB(server.pid);
    log(SECTION, `read ${read.requestsPerSecond} req/s, write ${write.requestsPerSecond} req/s, RSS after ${rssAfter} MiB`);
    return { read, write, rssBefore, rssAfter, startMs };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function loadInit(request: LoadRequest): RequestInit {
  return { method: 'POST', headers: request.headers, body: request.body };
}

async function bareServer(): Promise<{ read: LoadResult; write: LoadResult }> {
  const dataDir = await osTempDir('dev-server-baseline');
  const server = startNode(['--import', 'tsx', 'bench/target-server.ts', 'dispatcher', String(await freePort())], {
    env: { BLOCKS_DATA_DIR: dataDir },
  });
  try {
    const ready = JSON.parse(await server.waitForLine(/^\{/)) as TargetReady;
    await loadTest(loadRequest(ready.url, ready.token, calls.read), 1);
    const read = await loadTest(loadRequest(ready.url, ready.token, calls.read), BASELINE_SECONDS);
    assertClean('bare notes.list', read);
    const write = await loadTest(loadRequest(ready.url, ready.token, calls.write), BASELINE_SECONDS);
    assertClean('bare notes.create', write);
    return { read, write };
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export const measure: Measure = async () => {
  const dev = await devServer();
  const bare = await bareServer();
  const row = (name: string, ours: LoadResult, base: LoadResult): Metric => ({
    name,
    value: ours.requestsPerSecond,
    unit: 'req/s',
    baseline: { name: 'same dispatcher on bare node:http', value: base.requestsPerSecond },
    note: `p99 ${ours.p99Ms} ms (bare ${base.p99Ms}); ${ours.total} requests, ${ours.errors} errors, ${ours.non2xx} non-2xx`,
  });
  const metrics: Metric[] = [
    row('Dev server notes.list (read)', dev.read, bare.read),
    row('Dev server notes.create (write, fsync)', dev.write, bare.write),
  ];
  if (dev.rssBefore !== undefined && dev.rssAfter !== undefined) {
    metrics.push({
      name: 'Dev server RSS after the load',
      value: dev.rssAfter,
      unit: 'MiB',
      baseline: { name: 'before the load', value: dev.rssBefore },
    });
  }
  return {
    id: SECTION,
    title: 'Local dev server',
    metrics,
    details: {
      seconds: SECONDS,
      connections: 10,
      seededNotes: SEED_NOTES,
      serverStartMs: Math.round(dev.startMs),
      devServer: { read: dev.read, write: dev.write, rssMiB: { before: dev.rssBefore, after: dev.rssAfter } },
      bareBaseline: { seconds: BASELINE_SECONDS, ...bare },
    },
  };
};

runIfMain(import.meta.url, measure);
