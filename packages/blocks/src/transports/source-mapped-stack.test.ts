import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mapStack, sourceMappedConsole } from './source-mapped-stack.js';

let dir: string;
/** The stack Node gives for the bundle's throw without --enable-source-maps (the test runner maps real stacks itself). */
let bundleStack: () => string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'blocks-stack-'));
  // Line 4 of the source throws; minified, the bundle is one line.
  await writeFile(
    path.join(dir, 'thrower.ts'),
    ['export function fail(message: string): never {', '  const detail: string = `failed: ${message}`;', '  // the next line throws', '  throw new Error(detail);', '}', ''].join('\n'),
  );
  await build({ entryPoints: [path.join(dir, 'thrower.ts')], outfile: path.join(dir, 'index.mjs'), bundle: true, minify: true, format: 'esm', sourcemap: true, sourcesContent: false, logLevel: 'silent' });
  const bundle = path.join(dir, 'index.mjs');
  const column = (await readFile(bundle, 'utf8')).indexOf('throw new Error') + 1;
  expect(column).toBeGreaterThan(0);
  bundleStack = () => `Error: failed: x\n    at t (${pathToFileURL(bundle).href}:1:${column})\n    at async run (node:internal/process/task_queues:95:5)`;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const thrown = (): Error => Object.assign(new Error('failed: x'), { stack: bundleStack() });

describe('mapStack', () => {
  it('replaces a bundle position with the source file and line', () => {
    const mapped = mapStack(bundleStack());
    expect(mapped).toContain(`at t (${path.join(dir, 'thrower.ts')}:4:`);
    expect(mapped).not.toContain('index.mjs');
    expect(mapped.split('\n')[0]).toBe('Error: failed: x');
    expect(mapped.split('\n')[2]).toBe('    at async run (node:internal/process/task_queues:95:5)');
  });

  it('leaves positions in files without a map as they are', () => {
    const stack = 'Error: boom\n    at run (file:///nowhere/no-map.mjs:1:10)\n    at node:internal/process/task_queues:95:5';
    expect(mapStack(stack)).toBe(stack);
  });
});

describe('sourceMappedConsole', () => {
  it('logs an error and its cause with source positions', () => {
    const error = new Error('outer', { cause: thrown() });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      sourceMappedConsole.error('[blocks] request r1 failed:', error);
      expect(spy).toHaveBeenCalledWith('[blocks] request r1 failed:', error);
      expect((error.cause as Error).stack).toMatch(/thrower\.ts:4:\d+/);
    } finally {
      spy.mockRestore();
    }
  });
});
