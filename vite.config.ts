import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
// By path, not by package name: Vite bundles relative imports into the config,
// while a bare `blocks-kit/vite` would be loaded by Node, which cannot run .ts.
import { blocks } from './packages/blocks/src/dev/vite-plugin.ts';

export default defineConfig({
  plugins: [react(), blocks()],
  server: { port: 5173 },
  build: { sourcemap: true },
});
