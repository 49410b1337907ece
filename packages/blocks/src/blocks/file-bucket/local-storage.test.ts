/**
 * The local FileBucket's files survive `kill -9` at any point: every
 * acknowledged write is there afterwards with all its bytes (never torn,
 * never the older version), every acknowledged delete stays deleted, and a
 * crash leaves nothing that breaks a listing or a later write.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runStormRound } from '../../testing/kill-storm.js';
import { LocalObjects } from './local-storage.js';
import type { CrashAck } from './testing/crash-storm.js';

const STORM = fileURLToPath(new URL('./testing/crash-storm.ts', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'file-bucket-crash-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('local FileBucket storage under SIGKILL', () => {
  it('keeps every acknowledged put and delete, whole, over several rounds', async () => {
    const lastPut = new Map<string, number>();
    const deleted = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const { acks } = await runStormRound<CrashAck>(STORM, [dir, String(round)], 12 + round * 5, { jitterMs: 40 });
      expect(acks.length).toBeGreaterThanOrEqual(12);
      for (const ack of acks) {
        if (ack.op === 'put') {
          lastPut.set(ack.key, ack.n);
          deleted.delete(ack.key);
        } else {
          deleted.add(ack.key);
        }
      }
      // A fresh process, as after a restart.
      const objects = new LocalObjects(dir);
      for (const [key, n] of lastPut) {
        if (deleted.has(key)) continue;
        const stored = await objects.get(key);
        // A short-lived key's delete may have been in flight (done, not yet acknowledged).
        if (stored === undefined && key.startsWith('r')) continue;
        expect(stored, key).toBeDefined();
        // The bytes match their own checksum (not torn) and are this write or the one in flight after it.
        expect(createHash('md5').update(stored!.bytes).digest('hex'), key).toBe(stored!.etag);
        const content = JSON.parse(stored!.text()) as { n: number };
        expect(content.n, key).toBeGreaterThanOrEqual(n);
      }
      for (const key of deleted) expect(await objects.head(key), key).toBeUndefined();
      const listed = await objects.list({ prefix: '', limit: 1000, cursor: undefined });
      for (const item of listed.items) expect(await objects.head(item.key), item.key).toBeDefined();
      // A crash left nothing in the way of writing the same keys again.
      await objects.put('w0/k0', new Uint8Array([1]), 'application/octet-stream');
      expect((await objects.get('w0/k0'))?.bytes).toEqual(new Uint8Array([1]));
      lastPut.set('w0/k0', -1);
    }
  }, 120_000);
});
