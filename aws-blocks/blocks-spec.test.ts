/**
 * blocks.spec.json and the clients generated from it are committed; this
 * regenerates both in memory from index.ts and fails when the committed
 * files lag behind an API change.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateArtifacts, STALE_MESSAGE } from 'blocks-kit/spec';
import { expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

it('blocks.spec.json and aws-blocks/clients match index.ts', async () => {
  const { files } = await generateArtifacts({ appFile: path.join(here, 'index.ts') });
  const stale: string[] = [];
  for (const file of files) {
    const committed = await readFile(path.join(here, file.path), 'utf8').catch(() => undefined);
    if (committed !== file.content) stale.push(file.path);
  }
  expect(stale, `${STALE_MESSAGE} (out of date: ${stale.join(', ')})`).toEqual([]);
});
