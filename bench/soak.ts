/**
 * Loopback soak of the local API: `startBlocksDevServer` (the sample app and
 * the local user pool, as `npm run blocks:dev` serves them) under a mix of
 * reads and writes from signed-in users, for a bounded time.
 *
 *   npm run bench:soak [-- --seconds 60 --connections 50 --writes 0.3 --users 10 --loop]
 *
 * Prints requests/s, latency p50/p99, status classes and the process RSS at
 * the start and end; exits 1 on any 5xx or transport error. Traffic goes only
 * to the 127.0.0.1 server this script starts. The load generator is
 * autocannon when installed, else a small keep-alive client loop; both run
 * in this process, so the RSS figures include them (steady either way).
 */
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBlocksDevServer, type BlocksDevServer } from '../packages/blocks/src/dev/server.js';

interface SoakOptions {
  readonly seconds: number;
  readonly connections: number;
  /** Share of requests that write (notes.create / notes.update); the rest read (notes.list / account.me). */
  readonly writeShare: number;
  readonly users: number;
  /** Use the built-in keep-alive loop even when autocannon is installed. */
  readonly loop: boolean;
  /** Bounds of the console's request log, when not its defaults (a short test run fills a smaller one). */
  readonly requestLog?: { readonly maxEntries: number; readonly maxBytes: number };
}

interface SoakResult {
  readonly requests: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly status: Readonly<Record<'2xx' | '4xx' | '5xx', number>>;
  /** Responses per HTTP status (409s are concurrent edits of one note, as designed). */
  readonly codes: Readonly<Record<string, number>>;
  /** Connection failures and timeouts. */
  readonly errors: number;
  readonly rssStartMb: number;
  readonly rssEndMb: number;
  /** The console's request log at the end: every call recorded, memory bounded by its ring buffer. */
  readonly requestLog: { readonly recorded: number; readonly entries: number; readonly bytes: number };
  readonly generator: 'autocannon' | 'keep-alive loop';
}

interface Session {
  readonly authorization: string;
  readonly noteId: string;
}

// Hard caps: this is a loopback soak, not a load test of someone else's server.
const MAX_SECONDS = 1800;
const MAX_CONNECTIONS = 200;

function options(): SoakOptions {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '60' },
      connections: { type: 'string', default: '50' },
      writes: { type: 'string', default: '0.3' },
      users: { type: 'string', default: '10' },
      loop: { type: 'boolean', default: false },
    },
  });
  const number = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < min || value > max) throw new Error(`--${name} must be a number from ${min} to ${max}, got "${text}"`);
    return value;
  };
  return {
    seconds: number('seconds', values.seconds, 1, MAX_SECONDS),
    connections: Math.floor(number('connections', values.connections, 1, MAX_CONNECTIONS)),
    writeShare: number('writes', values.writes, 0, 1),
    users: Math.floor(number('users', values.users, 1, 100)),
    loop: values.loop,
  };
}

const rpc = (method: string, params: unknown): string => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });

/** Users created in the pool, signed in over its HTTP endpoint, each with one note to update. */
async function signedInSessions(server: BlocksDevServer, count: number): Promise<Session[]> {
  const pool = server.userPool;
  if (!pool) throw new Error('the dev server started without its local user pool (is BLOCKS_MODE=cloud set?)');
  const sessions: Session[] = [];
  for (let i = 0; i < count; i++) {
    const email = `soak-${i}@example.com`;
    const password = `Soak!${i}pass`;
    await pool.adminCreateUser({ email, password });
    const signIn = await fetch(`${server.url}/local-cognito`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth' },
      body: JSON.stringify({ ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    });
    const { AuthenticationResult } = (await signIn.json()) as { AuthenticationResult?: { IdToken: string } };
    if (!AuthenticationResult) throw new Error(`sign-in of ${email} failed with ${signIn.status}`);
    const authorization = `Bearer ${AuthenticationResult.IdToken}`;
    const created = await fetch(server.apiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: rpc('notes.create', { text: `note of ${email}` }),
    });
    const { result } = (await created.json()) as { result?: { id: string } };
    if (!result) throw new Error(`notes.create for ${email} failed with ${created.status}`);
    sessions.push({ authorization, noteId: result.id });
  }
  return sessions;
}

/** One request of the mix: who sends it and what. */
function nextCall(sessions: readonly Session[], writeShare: number, counter: number): { headers: Record<string, string>; body: string } {
  const session = sessions[counter % sessions.length]!;
  const headers = { 'content-type': 'application/json', authorization: session.authorization };
  const roll = Math.random();
  if (roll < writeShare * 0.6) return { headers, body: rpc('notes.create', { text: `soak ${counter}` }) };
  if (roll < writeShare) return { headers, body: rpc('notes.update', { id: session.noteId, text: `edit ${counter}` }) };
  if (roll < writeShare + (1 - writeShare) * 0.7) return { headers, body: rpc('notes.list', { limit: 20 }) };
  return { headers, body: rpc('account.me', []) };
}

const rssMb = (): number => Math.round(process.memoryUsage().rss / 1024 / 1024);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

// ---------------------------------------------------------------------------
// Load generators

/** The part of autocannon's API used here (it ships no types). */
type Autocannon = (options: {
  url: string;
  method: 'POST';
  connections: number;
  duration: number;
  timeout: number;
  requests: Array<{ setupRequest: (request: Record<string, unknown>) => Record<string, unknown> }>;
}) => Promise<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
  '2xx': number;
  '4xx': number;
  '5xx': number;
}>;

function loadAutocannon(): Autocannon | undefined {
  try {
    return createRequire(import.meta.url)('autocannon') as Autocannon;
  } catch {
    return undefined;
  }
}

async function withAutocannon(autocannon: Autocannon, url: string, sessions: readonly Session[], opts: SoakOptions) {
  let counter = 0;
  const result = await autocannon({
    url,
    method: 'POST',
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests: [{ setupRequest: (request) => ({ ...request, ...nextCall(sessions, opts.writeShare, counter++) }) }],
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    status: { '2xx': result['2xx'], '4xx': result['4xx'], '5xx': result['5xx'] },
    codes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, count])),
    errors: result.errors + result.timeouts,
  };
}

async function withLoop(url: string, sessions: readonly Session[], opts: SoakOptions) {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const { hostname, port, pathname } = new URL(url);
  const latencies: number[] = [];
  const status = { '2xx': 0, '4xx': 0, '5xx': 0 };
  const codes: Record<string, number> = {};
  let errors = 0;
  let counter = 0;
  const started = performance.now();
  const deadline = started + opts.seconds * 1000;
  const send = (call: { headers: Record<string, string>; body: string }): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ agent, hostname, port, path: pathname, method: 'POST', headers: call.headers, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(call.body);
    });
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < deadline) {
        const sentAt = performance.now();
        try {
          const code = await send(nextCall(sessions, opts.writeShare, counter++));
          latencies.push(performance.now() - sentAt);
          codes[code] = (codes[code] ?? 0) + 1;
          if (code >= 500) status['5xx']++;
          else if (code >= 400) status['4xx']++;
          else status['2xx']++;
        } catch {
          errors++;
        }
      }
    }),
  );
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    requestsPerSecond: Math.round(latencies.length / ((performance.now() - started) / 1000)),
    p50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
    p99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
    status,
    codes,
    errors,
  };
}

// ---------------------------------------------------------------------------

export async function soak(opts: SoakOptions): Promise<SoakResult> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-soak-'));
  const saved = { ...process.env };
  Object.assign(process.env, { BLOCKS_DATA_DIR: dataDir, BLOCKS_MODE: 'local' });
  const quiet = console.info;
  // The pool and the app reload log per event; keep the report readable.
  console.info = () => undefined;
  const server = await startBlocksDevServer({ root: path.resolve(import.meta.dirname, '..'), ...(opts.requestLog && { requestLog: opts.requestLog }) });
  try {
    const sessions = await signedInSessions(server, opts.users);
    const rssStartMb = rssMb();
    const autocannon = opts.loop ? undefined : loadAutocannon();
    const measured = autocannon
      ? await withAutocannon(autocannon, server.apiUrl, sessions, opts)
      : await withLoop(server.apiUrl, sessions, opts);
    await server.console?.log.settled();
    const requestLog = server.console?.log.stats ?? { recorded: 0, entries: 0, bytes: 0 };
    return { ...measured, rssStartMb, rssEndMb: rssMb(), requestLog, generator: autocannon ? 'autocannon' : 'keep-alive loop' };
  } finally {
    console.info = quiet;
    await server.close();
    process.env = saved;
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const opts = options();
  console.log(`soak: ${opts.seconds} s, ${opts.connections} connections, ${Math.round(opts.writeShare * 100)}% writes, ${opts.users} users`);
  const result = await soak(opts);
  console.log(
    [
      `generator      ${result.generator}`,
      `requests       ${result.requests} (${result.requestsPerSecond} req/s)`,
      `latency        p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
      `status         2xx ${result.status['2xx']}, 4xx ${result.status['4xx']}, 5xx ${result.status['5xx']} (${JSON.stringify(result.codes)})`,
      `errors         ${result.errors} (connection failures and timeouts)`,
      `RSS            ${result.rssStartMb} MB at start, ${result.rssEndMb} MB at end`,
      `request log    ${result.requestLog.recorded} calls recorded, ${result.requestLog.entries} kept in ${Math.round(result.requestLog.bytes / 1024)} KB`,
    ].join('\n'),
  );
  console.log(JSON.stringify(result));
  if (result.status['5xx'] > 0 || result.errors > 0) {
    console.error('soak FAILED: the API answered 5xx or dropped requests');
    process.exitCode = 1;
  }
}
