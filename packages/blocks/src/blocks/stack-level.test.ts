/**
 * Stack-level code (the CDK backend, the RPC layer, the transports, the dev
 * server) never names a Block kind: each Block declares its own resources,
 * routes and background work through the generic contracts in core/ and
 * cdk/provision.ts, so adding or deleting a Block folder never touches them.
 * The kinds are read from the Blocks themselves (`readonly kind = '...'`).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '..');
const STACK_LEVEL = ['cdk', 'rpc', 'transports', 'dev'];

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter((file) => !file.split(path.sep).includes('testing'));
}

async function blockKinds(): Promise<string[]> {
  const kinds = new Set<string>();
  for (const file of await sources(path.join(SRC, 'blocks'))) {
    for (const match of (await readFile(file, 'utf8')).matchAll(/readonly kind = '([A-Za-z]+)'/g)) kinds.add(match[1] as string);
  }
  return [...kinds].sort();
}

describe('stack-level code', () => {
  it('finds the Block kinds to look for', async () => {
    expect(await blockKinds()).toEqual(expect.arrayContaining(['AsyncJob', 'CronJob', 'KVStore']));
  });

  it('never names a Block kind', async () => {
    const kinds = await blockKinds();
    const pattern = new RegExp(`\\b(${kinds.join('|')})\\b`);
    const offenders: string[] = [];
    for (const dir of STACK_LEVEL) {
      for (const file of await sources(path.join(SRC, dir))) {
        const lines = (await readFile(file, 'utf8')).split('\n');
        lines.forEach((line, index) => {
          if (pattern.test(line)) offenders.push(`${path.relative(SRC, file)}:${index + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });
});
