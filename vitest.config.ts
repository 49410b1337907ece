import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,aws-blocks,amplify,tests,scripts}/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: keep file-level parallelism modest so timing-sensitive
    // servers and the browser are not starved.
    maxWorkers: 2,
    // Tests never touch the developer's .blocks-data/.
    env: { BLOCKS_DATA_DIR: path.join(tmpdir(), `blocks-test-${process.pid}`) },
    typecheck: { enabled: true, include: ['**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
