/**
 * The console's request log under the soak benchmark (bench/soak.ts, a
 * short run): it records every call the dev server answers, yet its memory
 * stays within the ring buffer's bounds however many calls there were.
 */
import { describe, expect, it } from 'vitest';
import { soak } from '../../bench/soak.js';

// Smaller than the defaults (1,000 calls, 8 MB), so a short run on a busy machine overflows them many times.
const MAX_ENTRIES = 100;
const MAX_BYTES = 64 * 1024;

describe('the request log under load', () => {
  it('records every call and keeps at most its bounds', async () => {
    const result = await soak({ seconds: 4, connections: 8, writeShare: 0.3, users: 3, loop: true, requestLog: { maxEntries: MAX_ENTRIES, maxBytes: MAX_BYTES } });
    expect(result.status['5xx']).toBe(0);
    expect(result.requests).toBeGreaterThan(3 * MAX_ENTRIES);
    // Sign-in calls go to the pool, not the Blocks API: at least the measured calls are in the log's count.
    expect(result.requestLog.recorded).toBeGreaterThanOrEqual(result.requests);
    expect(result.requestLog.entries).toBeGreaterThan(0);
    expect(result.requestLog.entries).toBeLessThanOrEqual(MAX_ENTRIES);
    expect(result.requestLog.bytes).toBeLessThanOrEqual(MAX_BYTES);
  }, 120_000);
});
