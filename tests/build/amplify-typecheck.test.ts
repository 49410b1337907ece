/**
 * ampx type-checks the backend before every sandbox and pipeline deploy,
 * but only when amplify/ has its own tsconfig.json: without one it skips
 * the check and still reports success. These tests run ampx's own check
 * (backend-deployer's compileProject) on the real folder, and on a copy of
 * its tsconfig next to a file with a type error, which must fail.
 */
import { access, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
// Not in the package's exports map: loaded by path, as ampx's deployer loads it.
const compiler = path.join(root, 'node_modules/@aws-amplify/backend-deployer/lib/ts_compiler.js');
const { compileProject: check } = (await import(pathToFileURL(compiler).href)) as { compileProject: (projectDirectory: string) => void };
const scratch: string[] = [];

afterAll(async () => {
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

describe("ampx's type check of amplify/", () => {
  it('runs, because amplify/ has a tsconfig.json, and passes', async () => {
    // The check leaves its incremental build info here; without a tsconfig it returns at once and writes nothing.
    const buildInfo = path.join(root, '.amplify/tsconfig.tsbuildinfo');
    await rm(buildInfo, { force: true });
    expect(() => check(path.join(root, 'amplify'))).not.toThrow();
    await expect(access(buildInfo)).resolves.toBeUndefined();
  }, 120_000);

  it('fails on a type error under the same tsconfig', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'amplify-typecheck-'));
    scratch.push(dir);
    const project = path.join(dir, 'amplify');
    await mkdir(project);
    await copyFile(path.join(root, 'amplify/tsconfig.json'), path.join(project, 'tsconfig.json'));
    await writeFile(path.join(project, 'backend.ts'), "export const port: number = 'not a number';\n");
    expect(() => check(project)).toThrow();
  }, 120_000);
});
