/**
 * 4. The local KVStore (LMDB, see kv-store/local-store.ts) at 1k, 10k and
 * 100k keys: get, put and list must not slow down as the store grows; list
 * should cost in proportion to its page size only.
 *
 * One directory grows from 1k to 100k keys, filled through the real `put`
 * with many writes in flight (LMDB commits them in batches, so 100k keys
 * take seconds, not the minutes of one fsync each). Then the store is
 * closed and reopened as a new process would open it (timed: the open) and
 * every latency is measured with the real API, one call at a time: 300 gets
 * of random existing keys, 100 puts of new keys, list pages of 20 and of 100
 * under random user prefixes.
 *
 * The one-off migration of a store written by an older kit (one JSON file
 * per key, kv-store/legacy-files.ts) is timed at the largest scale: the old
 * layout is written straight to disk, then opened once.
 *
 * `BENCH_REGRESSION=kv-full-scan` puts the deliberate regression in front
 * of every call: a read of every key, as an index rebuilt on each request
 * would do. The flat targets must then show as missed.
 *
 * Keys look like the app's: `<user>/<note id>`, 100 notes per user, so a
 * user's page is the same size at every scale and only the store grows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
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
  readonly openMs: number;
  readonly fillSeconds: number;
  readonly getMs: { p50: number; p99: number; count: number };
  readonly putMs: { p50: number; p99: number; count: number };
  readonly list20Ms: { p50: number; p99: number; count: number };
  readonly list100Ms: { p50: number; p99: number; count: number };
}

const userOf = (n: number): string => `user-${String(Math.floor(n / NOTES_PER_USER)).padStart(6, '0')}`;
const keyOf = (n: number): string => `${userOf(n)}/${String(n).padStart(10, '0')}-${createHash('md5').update(String(n)).digest('hex').slice(0, 16)}`;
const noteValue = (n: number): Note => ({ text: `note ${n}: ${'lorem ipsum '.repeat(8)}`, createdAt: new Date(1_700_000_000_000 + n).toISOString() });

/** Puts keys [from, to) through the store's API, many in flight. */
async function fill(store: LocalKVStore<Note>, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const n = next++;
      await store.put(keyOf(n), noteValue(n));
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

/** Writes keys [0, count) in the older kits' one-file-per-key layout, for the migration timing. */
async function writeLegacyLayout(dir: string, count: number): Promise<void> {
  await Promise.all(Array.from({ length: 256 }, (_, i) => mkdir(path.join(dir, i.toString(16).padStart(2, '0')), { recursive: true })));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const key = keyOf(n);
      const hash = createHash('sha256').update(key, 'utf8').digest('hex');
      await writeFile(path.join(dir, hash.slice(0, 2), `${hash}.json`), `{"key":${JSON.stringify(key)},"value":${JSON.stringify(noteValue(n))},"version":1}\n`);
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, worker));
}

const regression = process.env.BENCH_REGRESSION === 'kv-full-scan';

/** The deliberate regression: every key read before each call, as a per-request index rebuild would. */
async function fullScan(store: LocalKVStore<Note>): Promise<void> {
  if (!regression) return;
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 1000, cursor });
    cursor = page.cursor;
  } while (cursor !== undefined);
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
  // A fresh process's view: the database closed, so the first call opens it.
  await closeLocalStore(dir);
  const store = new LocalKVStore<Note>(dir);
  const t0 = performance.now();
  await store.list({ limit: 1 });
  const openMs = performance.now() - t0;
  const users = keys / NOTES_PER_USER;

  const getMs = await timeEach(GETS, async () => {
    await fullScan(store);
    const item = await store.get(keyOf(randomInt(keys)));
    if (!item) throw new Error('a seeded key is missing');
  });
  const putMs = await timeEach(PUTS, async (i) => {
    await fullScan(store);
    await store.put(`${userOf(randomInt(keys))}/new-${keys}-${i}`, noteValue(i), { ifNotExists: true });
  });
  const list20Ms = await timeEach(LISTS, async () => {
    await fullScan(store);
    const page = await store.list({ prefix: `${userOf(randomInt(users) * NOTES_PER_USER)}/`, limit: 20 });
    if (page.items.length !== 20) throw new Error(`a page of 20 held ${page.items.length}`);
  });
  const list100Ms = await timeEach(LISTS_100, async () => {
    await fullScan(store);
    const page = await store.list({ prefix: `${userOf(randomInt(users) * NOTES_PER_USER)}/`, limit: 100 });
    if (page.items.length !== 100) throw new Error(`a page of 100 held ${page.items.length}`);
  });
  return { keys, openMs: round(openMs, 1), fillSeconds: round(fillSeconds, 1), getMs, putMs, list20Ms, list100Ms };
}

export const measure: Measure = async () => {
  const dir = await osTempDir('kv');
  try {
    const results: ScaleResult[] = [];
    let filled = 0;
    for (const keys of SCALES) {
      const t0 = performance.now();
      await fill(new LocalKVStore<Note>(dir), filled, keys);
      filled = keys;
      const fillSeconds = (performance.now() - t0) / 1000;
      const result = await measureAt(dir, keys, fillSeconds);
      results.push(result);
      log(
        SECTION,
        `${keys} keys (filled in ${result.fillSeconds} s, open ${result.openMs} ms): get ${result.getMs.p50} ms, put ${result.putMs.p50} ms, list20 ${result.list20Ms.p50} ms, list100 ${result.list100Ms.p50} ms`,
      );
    }
    // The one-off migration: a store of the same size as an older kit left it.
    await closeLocalStore(dir);
    await rm(dir, { recursive: true, force: true });
    await writeLegacyLayout(dir, filled);
    const t0 = performance.now();
    const migrated = await new LocalKVStore<Note>(dir).list({ limit: 1 });
    const migrationMs = round(performance.now() - t0, 1);
    if (migrated.items.length !== 1) throw new Error('the migrated store is empty');
    log(SECTION, `first open of a one-file-per-key store (migration) at ${filled} keys: ${migrationMs} ms`);
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
        name: `KV open on first use at ${label}`,
        // In ms: an LMDB open takes a few, which rounds to "0 s".
        value: round(large.openMs, 1),
        unit: 'ms',
        baseline: { name: '1k keys', value: round(small.openMs, 1) },
        target: { max: 500, on: 'value', label: '≤ 0.5 s' },
        note: `once per dev-server start; a store in the older one-file-per-key layout migrates once in ${round(migrationMs / 1000, 2)} s`,
      },
    ];
    return {
      id: SECTION,
      title: 'Local KVStore scaling',
      metrics,
      details: {
        method: 'keys put through the API, 64 in flight; latencies via the real API, one call at a time',
        regression: regression ? 'kv-full-scan' : null,
        notesPerUser: NOTES_PER_USER,
        samples: { gets: GETS, puts: PUTS, lists20: LISTS, lists100: LISTS_100 },
        scales: results,
        migrationOpenMs: migrationMs,
      },
    };
  } finally {
    await closeLocalStore(dir);
    await rm(dir, { recursive: true, force: true });
  }
};

runIfMain(import.meta.url, measure);
