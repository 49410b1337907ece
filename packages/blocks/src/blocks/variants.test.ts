/**
 * Application code imports the same names under every condition, so each
 * Block's three variants (index.ts, index.aws.ts, index.cdk.ts) must export
 * exactly the same names, or an app that works in `npm run dev` fails to
 * bundle or synthesize. Every folder here is a Block, and every Block is
 * checked: a new one needs no new test.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const blocksDir = new URL('./', import.meta.url);
const blocks = readdirSync(blocksDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const names = async (block: string, file: string): Promise<string[]> =>
  Object.keys((await import(new URL(`${block}/${file}`, blocksDir).href)) as object).sort();

describe('Block variants', () => {
  it('finds the Blocks', () => {
    expect(blocks).toEqual(expect.arrayContaining(['kv-store', 'auth-basic']));
  });

  it.each(blocks)('%s: index.ts, index.aws.ts and index.cdk.ts export the same names', async (block) => {
    const local = await names(block, 'index.ts');
    expect(local.length).toBeGreaterThan(0);
    expect(await names(block, 'index.aws.ts')).toEqual(local);
    expect(await names(block, 'index.cdk.ts')).toEqual(local);
  });
});
