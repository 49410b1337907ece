import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBlocksDevServer, type BlocksDevServer } from '../server.js';
import { RESTART_MESSAGE } from './dev-wiring.js';

/**
 * The dev server with a project's own auth definition: the pool follows it,
 * what it cannot emulate is said once at start, and editing the definition
 * while the server runs asks for a restart. A copy of the Google fixture,
 * inside the repo (gitignored) so it resolves @aws-amplify/backend.
 */

const fixture = path.resolve(import.meta.dirname, '../../../../../tests/fixtures/auth-google-app');
const project = path.resolve(import.meta.dirname, '../../../test-tmp', `auth-project-${process.pid}`);
const resource = path.join(project, 'amplify/auth/resource.ts');
const saved = process.env.BLOCKS_AUTH_PROJECT;
const warn = vi.spyOn(console, 'warn');
const printed = () => warn.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
let server: BlocksDevServer;

beforeAll(async () => {
  await cp(fixture, project, { recursive: true });
  process.env.BLOCKS_AUTH_PROJECT = project;
  server = await startBlocksDevServer();
}, 180_000);

afterAll(async () => {
  await server?.close();
  if (saved === undefined) delete process.env.BLOCKS_AUTH_PROJECT;
  else process.env.BLOCKS_AUTH_PROJECT = saved;
  warn.mockRestore();
  await rm(project, { recursive: true, force: true });
});

describe('the dev server with a project’s auth definition', () => {
  it('names what is not emulated once, at start', () => {
    const google = printed().split('externalProviders.google (Google sign-in)').length - 1;
    expect(google).toBe(1);
    expect(printed()).not.toContain(RESTART_MESSAGE);
  });

  it('asks for a restart when the definition changes while it runs', async () => {
    const source = await readFile(resource, 'utf8');
    let edits = 0;
    // Edit again on each probe: on a loaded machine the watcher may still be
    // scanning the folder when the first edit lands, and miss it.
    const editAndRead = async () => {
      edits += 1;
      await writeFile(resource, source.replace("logoutUrls: ['http://localhost:5173/']", `logoutUrls: ['http://localhost:5173/bye${edits}']`));
      return printed();
    };
    await expect.poll(editAndRead, { timeout: 60_000, interval: 500 }).toContain(RESTART_MESSAGE);
  }, 90_000);
});
