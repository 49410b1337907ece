import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,aws-blocks,amplify,tests,scripts}/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    // expect.poll waits for the UI or a server to catch up; a loaded 2-core
    // CI machine needs more than the 1 s default.
    expect: { poll: { timeout: 10_000, interval: 100 } },
    hookTimeout: 120_000,
    // Two cores: keep file-level parallelism modest so timing-sensitive
    // servers and the browser are not starved.
    maxWorkers: 2,
    // Tests never touch the developer's .blocks-data/. The synthesized auth
    // definition is cached by a hash of its sources, so runs can share it.
    env: {
      BLOCKS_DATA_DIR: path.join(tmpdir(), `blocks-test-${process.pid}`),
      BLOCKS_AUTH_CACHE_DIR: path.join(tmpdir(), 'blocks-test-auth-definition'),
    },
    // No vitest typecheck pass: `npm test` runs `tsc --noEmit -p tsconfig.json`
    // first, which includes the *.test-d.ts files, and a failed expectTypeOf is a
    // type error there. A second tsc over the same files here cost ~15 s of CPU.
  },
});
