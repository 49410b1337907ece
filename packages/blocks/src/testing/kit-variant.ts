/**
 * The kit as another export condition would resolve it, for tests that run
 * an app module's deployed code path inside vitest (whose own conditions
 * pick the local variants):
 *
 *   vi.mock('blocks-kit', () => kitUnder('aws-runtime'));
 *
 * Every Block folder's variant file replaces the local class of the same
 * name; the rest of the kit is shared by all conditions.
 */
import { readdir } from 'node:fs/promises';

const VARIANT_FILE = { 'aws-runtime': 'index.aws.ts', cdk: 'index.cdk.ts' } as const;

export async function kitUnder(condition: keyof typeof VARIANT_FILE): Promise<Record<string, unknown>> {
  const kit: Record<string, unknown> = { ...(await import('../index.js')) };
  const blocksDir = new URL('../blocks/', import.meta.url);
  for (const entry of await readdir(blocksDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    Object.assign(kit, await import(new URL(`${entry.name}/${VARIANT_FILE[condition]}`, blocksDir).href));
  }
  return kit;
}
