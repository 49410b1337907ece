/**
 * 2. How many authenticated `notes.list` calls (20 notes a page) one core
 * serves, and what each costs, two ways:
 *
 * - In process: `dispatcher.handle` with 10 calls in flight, for a fixed
 *   time, this process pinned to one core. Compared with `account.me`
 *   through the same dispatcher (JSON-RPC parse + JWT check, no schema, no
 *   store), so the ratio says what zod plus the 20-file KV read cost; an
 *   async function returning a prebuilt response through the same loop
 *   (the loop's own cost) is kept in the details.
 * - Over loopback HTTP: autocannon (10 keep-alive connections, this
 *   process, core 0) against bench/target-server.ts on core 1: the kit's
 *   `serveRpc` + dispatcher versus a bare `node:http` handler that returns a
 *   constant. This ratio is the one to watch: the share of a plain Node
 *   server's throughput the kit keeps.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { bearer, callRpc, createDispatcher, idTokenClaims, startJwksFixture, type Dispatcher } from 'blocks-kit/testing';
import type { RpcHttpRequest, RpcHttpResponse } from '../packages/blocks/src/rpc/dispatcher.ts';
import {
  freePort,
  latencySummary,
  loadTest,
  log,
  osTempDir,
  quick,
  round,
  rpcBody,
  runIfMain,
  startNode,
  type LoadResult,
  type Measure,
} from './helpers.ts';
import type { TargetReady } from './target-server.ts';

const SECTION = 'handler-throughput';
const IN_FLIGHT = 10;
const WARMUP_MS = quick ? 300 : 1_000;
const MEASURE_MS = quick ? 1_500 : 4_000;
const HTTP_SECONDS = quick ? 2 : 5;
const CLIENT_ID = 'bench-client';
const SEED_NOTES = 50;

interface LoopResult {
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly calls: number;
}

/** Keeps `IN_FLIGHT` calls going for `ms`; every call must answer 200. */
async function closedLoop(call: () => Promise<RpcHttpResponse>, ms: number): Promise<LoopResult> {
  const latencies: number[] = [];
  const deadline = performance.now() + ms;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      const response = await call();
      latencies.push(performance.now() - t0);
      if (response.status !== 200) throw new Error(`call answered ${response.status}: ${response.body}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  const summary = latencySummary(latencies);
  return { opsPerSecond: round(latencies.length / seconds, 0), p50Ms: summary.p50, p99Ms: summary.p99, calls: latencies.length };
}

function request(method: string, params: unknown, token: string): () => RpcHttpRequest {
  const body = new TextEncoder().encode(rpcBody(method, params));
  // A new Headers per call, as each transport builds one per request.
  return () => ({ method: 'POST', headers: new Headers({ 'content-type': 'application/json', ...bearer(token) }), body });
}

async function inProcess(): Promise<Record<string, LoopResult>> {
  const dataDir = await osTempDir('throughput');
  const jwks = await startJwksFixture();
  try {
    Object.assign(process.env, {
      BLOCKS_DATA_DIR: dataDir,
      ...jwks.verifierEnvironment(CLIENT_ID),
    });
    const dispatcher: Dispatcher = createDispatcher((await import('../aws-blocks/index.ts')) as Record<string, unknown>);
    const token = jwks.mintToken(idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID, sub: 'bench-user', ttlSeconds: 3600 }));
    for (let i = 0; i < SEED_NOTES; i++) await callRpc(dispatcher, 'notes.create', { text: `seed note ${i}` }, bearer(token));

    const constantResponse: RpcHttpResponse = {
      status: 200,
      headers: new Headers({ 'content-type': 'application/json; charset=utf-8' }),
      cookies: [],
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, result: { items: [] } }),
    };
    const calls: Record<string, () => Promise<RpcHttpResponse>> = {
      constant: () => Promise.resolve(constantResponse),
      accountMe: ((make) => () => dispatcher.handle(make()))(request('account.me', [], token)),
      notesList: ((make) => () => dispatcher.handle(make()))(request('notes.list', { limit: 20 }, token)),
    };
    const results: Record<string, LoopResult> = {};
    for (const [name, call] of Object.entries(calls)) {
      await closedLoop(call, WARMUP_MS);
      results[name] = await closedLoop(call, MEASURE_MS);
      log(SECTION, `in process ${name}: ${results[name]?.opsPerSecond} ops/s`);
    }
    return results;
  } finally {
    await jwks.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function overHttp(mode: 'constant' | 'dispatcher'): Promise<LoadResult> {
  const dataDir = await osTempDir('throughput-http');
  const server = startNode(['--import', 'tsx', 'bench/target-server.ts', mode, String(await freePort())], {
    env: { BLOCKS_DATA_DIR: dataDir },
    cpu: 1,
  });
  try {
    const ready = JSON.parse(await server.waitForLine(/^\{/)) as TargetReady;
    const load = {
      url: ready.url,
      headers: { 'content-type': 'application/json', ...bearer(ready.token) },
      body: rpcBody('notes.list', { limit: 20 }),
    };
    await loadTest(load, 1);
    const result = await loadTest(load, HTTP_SECONDS);
    log(SECTION, `http ${mode}: ${result.requestsPerSecond} req/s, p99 ${result.p99Ms} ms`);
    if (result.errors + result.non2xx > 0) throw new Error(`http ${mode}: ${result.errors} errors, ${result.non2xx} non-2xx`);
    return result;
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Pins this process to core 0 so "one core" holds for the in-process loop and the load generator. */
function pinSelf(): boolean {
  if (!existsSync('/usr/bin/taskset')) return false;
  execFileSync('/usr/bin/taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  return true;
}

export const measure: Measure = async () => {
  const pinned = pinSelf();
  const local = await inProcess();
  const httpConstant = await overHttp('constant');
  const httpDispatcher = await overHttp('dispatcher');
  const list = local.notesList!;
  const me = local.accountMe!;
  const constant = local.constant!;
  return {
    id: SECTION,
    title: 'Handler throughput',
    metrics: [
      {
        name: 'notes.list over HTTP, one core',
        value: httpDispatcher.requestsPerSecond,
        unit: 'req/s',
        baseline: { name: 'bare node:http constant', value: httpConstant.requestsPerSecond },
        target: { min: 2000, on: 'value', label: '≥ 2,000 req/s' },
        note: `p50 ${httpDispatcher.p50Ms} / p99 ${httpDispatcher.p99Ms} ms (bare: ${httpConstant.p50Ms} / ${httpConstant.p99Ms})`,
      },
      {
        name: 'notes.list in process (dispatcher.handle)',
        value: list.opsPerSecond,
        unit: 'calls/s',
        baseline: { name: 'account.me (parse + JWT only)', value: me.opsPerSecond },
        target: { min: 4000, on: 'value', label: '≥ 4,000 calls/s' },
        note: `p50 ${round(list.p50Ms, 1)} / p99 ${round(list.p99Ms, 1)} ms; an async constant does ${constant.opsPerSecond} calls/s`,
      },
    ],
    details: {
      pinnedToOneCore: pinned,
      inFlight: IN_FLIGHT,
      seededNotes: SEED_NOTES,
      pageSize: 20,
      inProcess: local,
      // Per call at 10 in flight on one core: what each layer adds.
      perCallMicroseconds: {
        loop: round(1e6 / constant.opsPerSecond, 1),
        parseAndJwt_accountMe: round(1e6 / me.opsPerSecond, 1),
        notesList: round(1e6 / list.opsPerSecond, 1),
        zodAndKvRead20: round(1e6 / list.opsPerSecond - 1e6 / me.opsPerSecond, 1),
      },
      http: { connections: 10, seconds: HTTP_SECONDS, constant: httpConstant, dispatcher: httpDispatcher },
    },
  };
};

runIfMain(import.meta.url, measure);
