/**
 * Shared pieces of the benchmarks: result shapes, statistics, child
 * processes, ports, compression sizes and the load generator.
 *
 * Every measurement file exports a `measure()` and can also run alone
 * (`npx tsx bench/kv-scaling.ts`); `bench/run.ts` runs each in its own Node
 * process so that one measurement's heap, open handles and module cache
 * cannot colour the next.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, crc32, deflateRawSync, gzipSync } from 'node:zlib';
import autocannon from 'autocannon';

export const projectRoot = path.resolve(import.meta.dirname, '..');
/** Scratch space inside the repo (gitignored): files there resolve `blocks-kit`, zod and @aws-sdk from node_modules. */
export const benchTmp = path.join(projectRoot, 'bench', '.tmp');

// ---------------------------------------------------------------------------
// Results

/**
 * `max`: the measured value (or the ratio, when there is a baseline) must not
 * exceed it; `min` (for throughputs): must reach it.
 */
export interface Target {
  readonly max?: number;
  readonly min?: number;
  /** What the target applies to. */
  readonly on: 'value' | 'ratio';
  /** How the target reads in the table, e.g. "≤ 150 KB". */
  readonly label: string;
}

export interface Metric {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The reference measured in the same run; the ratio is value / baseline.value. */
  readonly baseline?: { readonly name: string; readonly value: number };
  readonly target?: Target;
  /** Extra context shown in the table (e.g. error counts). */
  readonly note?: string;
  /**
   * The least the measured work can cost, measured in the same run and read
   * against the same baseline (e.g. the SDK alone sending the requests the
   * call must send). When it misses the target itself, no code of ours can
   * meet it, and the report says so.
   */
  readonly floor?: { readonly name: string; readonly value: number };
}

export interface SectionResult {
  readonly id: string;
  readonly title: string;
  readonly metrics: Metric[];
  /** Everything else worth keeping: breakdowns, profiles, raw samples. */
  readonly details: Record<string, unknown>;
  readonly seconds: number;
}

export type Measure = () => Promise<Omit<SectionResult, 'seconds'>>;

export function ratioOf(metric: Metric): number | undefined {
  return metric.baseline && metric.baseline.value !== 0 ? metric.value / metric.baseline.value : undefined;
}

/** Whether the metric meets its target; undefined when it has none. */
export function meetsTarget(metric: Metric): boolean | undefined {
  if (!metric.target) return undefined;
  const measured = metric.target.on === 'ratio' ? ratioOf(metric) : metric.value;
  const { max = Infinity, min = -Infinity } = metric.target;
  return measured !== undefined && measured <= max && measured >= min;
}

/** Whether the metric's floor (see Metric.floor) already misses its ratio target; undefined without both. */
export function floorMissesTarget(metric: Metric): boolean | undefined {
  if (!metric.floor || metric.target?.on !== 'ratio') return undefined;
  return !meetsTarget({ ...metric, value: metric.floor.value });
}

/**
 * Runs `measure` when this file is the process's entry point, and writes the
 * result where `bench/run.ts` asked (BENCH_RESULT_FILE) or to stdout.
 */
export function runIfMain(moduleUrl: string, measure: Measure): void {
  if (process.argv[1] === undefined || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  const started = performance.now();
  measure().then(
    async (result) => {
      const full: SectionResult = { ...result, seconds: round((performance.now() - started) / 1000, 1) };
      const out = process.env.BENCH_RESULT_FILE;
      if (out) await writeFile(out, JSON.stringify(full, null, 2));
      else process.stdout.write(`${JSON.stringify(full, null, 2)}\n`);
      // Keep-alive sockets and watchers of libraries must not hold the section open.
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

export function log(section: string, message: string): void {
  process.stderr.write(`[bench:${section}] ${message}\n`);
}

/** True for a quick smoke run (`BENCH_QUICK=1`): shorter loads, fewer repetitions, smaller stores. */
export const quick = process.env.BENCH_QUICK === '1';

// ---------------------------------------------------------------------------
// Statistics

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank: the smallest value with at least p% of the samples at or below it.
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** p50/p99 of latencies in ms, rounded for the report. */
export function latencySummary(samplesMs: readonly number[]): { p50: number; p99: number; count: number } {
  return { p50: round(median(samplesMs), 3), p99: round(percentile(samplesMs, 99), 3), count: samplesMs.length };
}

// ---------------------------------------------------------------------------
// Processes and ports

export { freePort } from 'blocks-kit/testing';

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Everything the child printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first stdout line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts `node <args>` in the project root. Pass `cpu` to pin it to one core
 * with `taskset` (so "one core" really is one core); when taskset is missing
 * the child runs unpinned.
 */
export function startNode(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cpu?: number } = {}): Child {
  const pin = options.cpu !== undefined && existsSync('/usr/bin/taskset');
  const command = pin ? '/usr/bin/taskset' : process.execPath;
  const argv = pin ? ['-c', String(options.cpu), process.execPath, ...args] : [...args];
  const spawnOptions: SpawnOptions = { cwd: projectRoot, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] };
  const child = spawn(command, argv, spawnOptions);
  if (child.pid === undefined) throw new Error(`could not start node ${args.join(' ')}`);
  let out = '';
  let pending = '';
  const lineWaiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    pending += chunk.toString();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      for (const waiter of [...lineWaiters]) {
        if (waiter.pattern.test(line)) {
          lineWaiters.splice(lineWaiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    pid: child.pid,
    output: () => out,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${out}`)), timeoutMs);
        const onExit = (): void => reject(new Error(`child exited before printing ${pattern}:\n${out}`));
        child.once('exit', onExit);
        lineWaiters.push({
          pattern,
          resolve: (line) => {
            clearTimeout(timer);
            child.off('exit', onExit);
            resolve(line);
          },
        });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 200; returns the ms from `since` to that answer. */
export async function waitForOk(url: string, since: number, child: Child, timeoutMs = 60_000, intervalMs = 20): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`server exited early:\n${child.output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      await response.arrayBuffer();
      if (response.ok) return performance.now() - since;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${child.output()}`);
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process in MiB, from /proc (Linux); undefined elsewhere. */
export function rssMiB(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kib === undefined ? undefined : round(Number(kib) / 1024, 1);
  } catch {
    return undefined;
  }
}

/** A fresh directory under the OS temp dir (for data that needs no module resolution). */
export function osTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `blocks-bench-${prefix}-`));
}

/** A fresh directory under bench/.tmp (for code that imports the project's packages). */
export async function repoTempDir(name: string): Promise<string> {
  const dir = path.join(benchTmp, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------
// Sizes

export const gzipSize = (data: Uint8Array): number => gzipSync(data, { level: zlibConstants.Z_BEST_COMPRESSION }).byteLength;

/**
 * A real ZIP archive (stored names, DEFLATE level 9, CRC-32, central
 * directory), the way the Lambda asset is uploaded. Written here rather than
 * via the `zip` CLI so the bench needs nothing outside Node.
 */
export function zipArchive(entries: readonly { name: string; data: Uint8Array }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const fileName = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data, { level: zlibConstants.Z_BEST_COMPRESSION });
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); // local file header
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt32LE(0, 10); // time + date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.byteLength, 18);
    local.writeUInt32LE(data.byteLength, 22);
    local.writeUInt16LE(fileName.byteLength, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); // central directory header
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.byteLength, 20);
    central.writeUInt32LE(data.byteLength, 24);
    central.writeUInt16LE(fileName.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, compressed);
    centrals.push(central, fileName);
    offset += local.byteLength + fileName.byteLength + compressed.byteLength;
  }
  const centralSize = centrals.reduce((sum, part) => sum + part.byteLength, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); // end of central directory
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

export const kb = (bytes: number): number => round(bytes / 1024, 1);

// ---------------------------------------------------------------------------
// Load

export interface LoadRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

/**
 * POSTs the same request over `connections` keep-alive connections for
 * `seconds`, with autocannon. Only ever pointed at a 127.0.0.1 server this
 * bench started; bounded by duration.
 */
export async function loadTest(request: LoadRequest, seconds: number, connections = 10): Promise<LoadResult> {
  const host = new URL(request.url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`refusing to load ${request.url}: loopback only`);
  const result = await autocannon({
    url: request.url,
    method: 'POST',
    headers: request.headers,
    body: request.body,
    connections,
    duration: seconds,
    timeout: 10,
  });
  return {
    requestsPerSecond: round(result.requests.average, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/** A JSON-RPC request body, as the typed client sends it. */
export const rpcBody = (method: string, params: unknown): string => JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
