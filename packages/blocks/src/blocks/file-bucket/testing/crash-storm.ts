/**
 * Child process for the kill -9 test in `../local-storage.test.ts`.
 *
 * Usage: node --import tsx crash-storm.ts <objects dir> <round>
 *
 * Workers write objects (buffered `put` and streamed uploads, alternately)
 * and delete short-lived ones as fast as they can until the test SIGKILLs
 * this process. Each worker has one write in flight at a time and prints a
 * line only once the store acknowledged it.
 *
 * Lines (JSON): {"op":"put","key":...,"n":n} | {"op":"del","key":...}
 */
import { LocalObjects } from '../local-storage.js';

export type CrashAck = { readonly op: 'put'; readonly key: string; readonly n: number } | { readonly op: 'del'; readonly key: string };

const WORKERS = 4;
const DEADLINE = Date.now() + 30_000;
const [dir, round = '0'] = process.argv.slice(2);
if (dir === undefined) {
  console.error('usage: crash-storm.ts <objects dir> <round>');
  process.exit(2);
}
const objects = new LocalObjects(dir);
// Bulk, so a kill can land in the middle of writing the bytes.
const body = (n: number): Uint8Array => new TextEncoder().encode(JSON.stringify({ round, n, pad: 'x'.repeat(96 * 1024) }));

async function* streamed(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 8192) yield bytes.subarray(i, i + 8192);
}

const acknowledge = (ack: CrashAck): void => void process.stdout.write(`${JSON.stringify(ack)}\n`);

async function runWorker(worker: number): Promise<void> {
  for (let n = 0; Date.now() < DEADLINE; n++) {
    const key = `w${worker}/k${n % 4}`;
    if (n % 2 === 0) await objects.put(key, body(n), 'application/json');
    else await objects.putStream(key, streamed(body(n)), 'application/json', 1024 * 1024);
    acknowledge({ op: 'put', key, n });
    if (n % 3 === 0) {
      const temporary = `r${round}/w${worker}/t${n}`;
      await objects.put(temporary, body(n), 'application/json');
      acknowledge({ op: 'put', key: temporary, n });
      await objects.delete(temporary);
      acknowledge({ op: 'del', key: temporary });
    }
  }
}

await Promise.all(Array.from({ length: WORKERS }, (_, worker) => runWorker(worker)));
