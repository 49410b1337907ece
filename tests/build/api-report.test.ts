/**
 * The kit's public surface is a checked file (packages/blocks/API.md): a
 * change to what apps can import must come with its report, like the spec
 * staleness check for the sample app's API.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

describe('packages/blocks/API.md', () => {
  it('matches the public API of every blocks-kit entry point', async () => {
    const result = await run(process.execPath, ['--import', 'tsx', 'scripts/api-report.ts', '--check'], { cwd: root, timeout: 180_000 }).then(
      ({ stdout }) => ({ ok: true, output: stdout }),
      (error: { stdout?: string; stderr?: string }) => ({ ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.output).toContain('packages/blocks/API.md is up to date.');
    expect(result.ok).toBe(true);
  }, 180_000);
});
