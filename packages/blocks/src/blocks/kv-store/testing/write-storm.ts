/**
 * Child process for the kill -9 durability test in `../local-store.test.ts`.
 *
 * Usage: node --import tsx write-storm.ts <store dir> <round>
 *
 * Several workers write to a LocalKVStore as fast as they can until the test
 * SIGKILLs this process. Each worker owns its keys and writes them one at a
 * time, so at most one write per worker is in flight when the kill lands.
 * A line is printed only after the write's promise resolved, i.e. once the
 * store acknowledged it; the test then checks every printed write survived.
 *
 * Lines (JSON): {"op":"put","key":...,"version":n} | {"op":"del","key":...}
 */
import { LocalKVStore } from '../local-store.js';

export type StormAck =
  | { readonly op: 'put'; readonly key: string; readonly version: number }
  | { readonly op: 'del'; readonly key: string };

const WORKERS = 4;
const KEYS_PER_WORKER = 5;
// If the test runner dies without killing us, do not write forever.
const DEADLINE = Date.now() + 30_000;

const [dir, round = '0'] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: write-storm.ts <store dir> <round>');
  process.exit(2);
}
const store = new LocalKVStore<{ round: string; n: number; pad: string }>(dir);
// Some bulk makes each write take long enough that a kill can land inside it.
const pad = 'x'.repeat(16 * 1024);

function acknowledge(ack: StormAck): void {
  // Pipes are synchronous on Linux, so the line is out before the next write starts.
  process.stdout.write(`${JSON.stringify(ack)}\n`);
}

/** Versioned keys that outlive rounds: updates alternate between plain and ifVersion puts. */
async function updateKey(key: string, n: number): Promise<void> {
  const current = await store.get(key);
  const options = current === undefined ? { ifNotExists: true } : n % 2 === 0 ? { ifVersion: current.version } : {};
  const item = await store.put(key, { round, n, pad }, options);
  acknowledge({ op: 'put', key, version: item.version });
}

/** Short-lived keys, unique to this round, created and then deleted. */
async function createAndDelete(key: string, n: number): Promise<void> {
  const item = await store.put(key, { round, n, pad }, { ttlSeconds: 3600 });
  acknowledge({ op: 'put', key, version: item.version });
  await store.delete(key);
  acknowledge({ op: 'del', key });
}

async function runWorker(worker: number): Promise<void> {
  for (let n = 0; Date.now() < DEADLINE; n++) {
    await updateKey(`w${worker}/p${n % KEYS_PER_WORKER}`, n);
    if (n % 3 === 0) await createAndDelete(`r${round}/w${worker}/d${n}`, n);
  }
}

await Promise.all(Array.from({ length: WORKERS }, (_, worker) => runWorker(worker)));
