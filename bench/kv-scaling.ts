/**
 * 4. The local KVStore (one fsynced JSON file per key, an in-memory sorted
 * key index) at 1k, 10k and 100k keys: get, put and list must not slow down
 * as the store grows; list should cost in proportion to its page size only.
 *
 * One directory grows from 1k to 100k keys. Filling it through `put` would
 * take minutes (two fsyncs per key), so the bulk of the keys is written
 * straight to disk in the store's own format, the one `LocalKVStore` writes:
 * `<dir>/<sha256(key) hex, first 2>/<sha256(key) hex>.json` holding
 * `{"key":…,"value":…,"version":1}\n` (no fsync; the bench does not crash),
 * plus its line in `<dir>/keys.log` (key-log.ts). At the largest scale the
 * open is also timed without the log: a store written before the log
 * existed, opened once by the new code (the migration).
 * Then the store is reopened as a new process would open it (its index is
 * rebuilt from disk, which is timed too) and every latency is measured with
 * the real API, one call at a time: 300 gets of random existing keys, 100
 * puts of new keys, list pages of 20 and of 100 under random user prefixes.
 *
 * Keys look like the app's: `<user>/<note id>`, 100 notes per user, so a
 * user's page is the same size at every scale and only the store grows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { appendKeyLog, KEY_LOG_NAME } from '../packages/blocks/src/blocks/kv-store/key-log.ts';
import { LocalKVStore } from '../packages/blocks/src/blocks/kv-store/local-store.ts';
import { closeLocalStore } from '../packages/blocks/src/blocks/kv-store/testing/local-store-state.ts';
import { latencySummary, log, osTempDir, quick, round, runIfMain, type Measure, type Metric } from './helpers.ts';

const SECTION = 'kv-scaling';
const SCALES = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const NOTES_PER_USER = 100;
const WRITE_CONCURRENCY = 64;
const GETS = quick ? 100 : 300;
const PUTS = quick ? 30 : 100;
const LISTS = quick ? 50 : 200;
const LISTS_100 = quick ? 20 : 100;

interface Note {
  readonly text: string;
  readonly createdAt: string;
}

interface ScaleResult {
  readonly keys: number;
  readonly indexBuildMs: number;
  readonly fillSeconds: number;
  readonly getMs: { p50: number; p99: number; count: number };
  readonly putMs: { p50: number; p99: number; count: number };
  readonly list20Ms: { p50: number; p99: number; count: number };
  readonly list100Ms: { p50: number; p99: number; count: number };
}

const userOf = (n: number): string => `user-${String(Math.floor(n / NOTES_PER_USER)).padStart(6, '0')}`;
const keyOf = (n: number): string => `${userOf(n)}/${String(n).padStart(10, '0')}-${createHash('md5').update(String(n)).digest('hex').slice(0, 16)}`;
const noteValue = (n: number): Note => ({ text: `note ${n}: ${'lorem ipsum '.repeat(8)}`, createdAt: new Date(1_700_000_000_000 + n).toISOString() });

/** Writes keys [from, to) in LocalKVStore's on-disk format (see the module comment). */
async function fillDirectly(dir: string, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const n = next++;
      const key = keyOf(n);
      const hash = createHash('sha256').update(key, 'utf8').digest('hex');
      const file = path.join(dir, hash.slice(0, 2), `${hash}.json`);
      await writeFile(file, `{"key":${JSON.stringify(key)},"value":${JSON.stringify(noteValue(n))},"version":1}\n`);
      appendKeyLog(dir, true, { key, hash });
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

async function timeEach(count: number, op: (i: number) => Promise<unknown>): Promise<{ p50: number; p99: number; count: number }> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    await op(i);
    samples.push(performance.now() - t0);
  }
  return latencySummary(samples);
}

const randomInt = (below: number): number => randomBytes(4).readUInt32BE(0) % below;

async function measureAt(dir: string, keys: number, fillSeconds: number): Promise<ScaleResult> {
  // A fresh process's view: no index in memory, so the first call builds it from disk.
  closeLocalStore(dir);
  const store = new LocalKVStore<Note>(dir);
  const t0 = performance.now();
  await store.list({ limit: 1 });
  const indexBuildMs = performance.now() - t0;
  const users = keys / NOTES_PER_USER;

  const getMs = await timeEach(GETS, async () => {
    const item = await store.get(keyOf(randomInt(keys)));
    if (!item) throw new Error('a seeded key is missing');
  });
  const putMs = await timeEach(PUTS, (i) => store.put(`${userOf(randomInt(keys))}/new-${keys}-${i}`, noteValue(i), { ifNotExists: true }));
  const list20Ms = await timeEach(LISTS, async () => {
    const page = await store.list({ prefix: `${userOf(randomInt(users) * NOTES_PER_USER)}/`, limit: 20 });
    if (page.items.length !== 20) throw new Error(`a page of 20 held ${page.items.length}`);
  });
  const list100Ms = await timeEach(LISTS_100, async () => {
    const page = await store.list({ prefix: `${userOf(randomInt(users) * NOTES_PER_USER)}/`, limit: 100 });
    if (page.items.length !== 100) throw new Error(`a page of 100 held ${page.items.length}`);
  });
  return { keys, indexBuildMs: round(indexBuildMs, 1), fillSeconds: round(fillSeconds, 1), getMs, putMs, list20Ms, list100Ms };
}

export const measure: Measure = async () => {
  const dir = await osTempDir('kv');
  try {
    await Promise.all(Array.from({ length: 256 }, (_, i) => mkdir(path.join(dir, i.toString(16).padStart(2, '0')), { recursive: true })));
    const results: ScaleResult[] = [];
    let filled = 0;
    for (const keys of SCALES) {
      const t0 = performance.now();
      await fillDirectly(dir, filled, keys);
      filled = keys;
      const fillSeconds = (performance.now() - t0) / 1000;
      const result = await measureAt(dir, keys, fillSeconds);
      results.push(result);
      log(
        SECTION,
        `${keys} keys (filled in ${result.fillSeconds} s, index ${result.indexBuildMs} ms): get ${result.getMs.p50} ms, put ${result.putMs.p50} ms, list20 ${result.list20Ms.p50} ms, list100 ${result.list100Ms.p50} ms`,
      );
    }
    // The one-off migration: the same store as an older kit left it, without the key log.
    await rm(path.join(dir, KEY_LOG_NAME), { force: true });
    closeLocalStore(dir);
    const t0 = performance.now();
    await new LocalKVStore<Note>(dir).list({ limit: 1 });
    const migrationMs = round(performance.now() - t0, 1);
    log(SECTION, `first open without keys.log (migration) at ${filled} keys: ${migrationMs} ms`);
    const small = results[0]!;
    const large = results.at(-1)!;
    const label = `${large.keys / 1000}k keys`;
    const flat = { max: 1.5, on: 'ratio', label: '≤ 1.5× (flat)' } as const;
    const metrics: Metric[] = [
      { name: `KV get p50 at ${label}`, value: large.getMs.p50, unit: 'ms', baseline: { name: '1k keys', value: small.getMs.p50 }, target: flat },
      { name: `KV put p50 at ${label} (fsync)`, value: large.putMs.p50, unit: 'ms', baseline: { name: '1k keys', value: small.putMs.p50 }, target: flat },
      { name: `KV list 20 p50 at ${label}`, value: large.list20Ms.p50, unit: 'ms', baseline: { name: '1k keys', value: small.list20Ms.p50 }, target: flat },
      {
        name: `KV list 100 p50 at ${label}`,
        value: large.list100Ms.p50,
        unit: 'ms',
        baseline: { name: 'list 20, same store', value: large.list20Ms.p50 },
        note: 'grows with page size',
      },
      {
        name: `KV open (index from keys.log) on first use at ${label}`,
        value: round(large.indexBuildMs / 1000, 3),
        unit: 's',
        baseline: { name: '1k keys', value: round(small.indexBuildMs / 1000, 3) },
        target: { max: 0.5, on: 'value', label: '≤ 0.5 s' },
        note: `once per dev-server start; a store without keys.log (migration) opens once in ${round(migrationMs / 1000, 2)} s`,
      },
    ];
    return {
      id: SECTION,
      title: 'Local KVStore scaling',
      metrics,
      details: {
        method: 'bulk keys written in the on-disk format without fsync; latencies via the real API, one call at a time',
        notesPerUser: NOTES_PER_USER,
        samples: { gets: GETS, puts: PUTS, lists20: LISTS, lists100: LISTS_100 },
        scales: results,
        migrationOpenMs: migrationMs,
      },
    };
  } finally {
    closeLocalStore(dir);
    await rm(dir, { recursive: true, force: true });
  }
};

runIfMain(import.meta.url, measure);
