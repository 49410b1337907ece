/**
 * `npm run dev:auth-basic`: the AuthBasic example in the browser. Its own
 * Vite root (src/auth-basic-example/), so the notes app's build never sees
 * it, and the example module (aws-blocks/examples/auth-basic.ts) as the
 * Blocks app served on the same origin. Local mode only: the example is not
 * part of the deployed backend.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
// By path, as in vite.config.ts: Node cannot load the kit's .ts through its package name here.
import { blocksDev } from './packages/blocks/src/dev/vite-plugin.ts';

const fromHere = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

export default defineConfig({
  root: fromHere('./src/auth-basic-example'),
  cacheDir: fromHere('./node_modules/.vite-auth-basic'),
  plugins: [react(), blocksDev({ entry: fromHere('./aws-blocks/examples/auth-basic.ts') })],
  server: { port: 5174 },
});
