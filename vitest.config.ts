import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,aws-blocks,amplify,tests}/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Two cores: keep file-level parallelism modest so timing-sensitive
    // servers and the browser are not starved.
    maxWorkers: 2,
    typecheck: { enabled: true, include: ['**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
});
