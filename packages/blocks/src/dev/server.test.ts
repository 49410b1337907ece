import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBlocksDevServer, type BlocksDevServer } from './server.js';

// Inside the repo (gitignored) so the app can resolve `blocks-kit` and zod.
const appDir = path.resolve(import.meta.dirname, '../../test-tmp', `reload-${process.pid}`);
const entry = path.join(appDir, 'index.ts');

const appSource = (greeting: string) => `
import { ApiNamespace, Scope } from 'blocks-kit';
const scope = new Scope('reload');
export const app = new ApiNamespace(scope, 'app', () => ({ greet: () => ${JSON.stringify(greeting)} }));
`;

let server: BlocksDevServer;

async function call(method: string): Promise<{ status: number; body: { result?: unknown; error?: { message: string; code: number } } }> {
  const response = await fetch(server.apiUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  await mkdir(appDir, { recursive: true });
  await writeFile(entry, appSource('v1'));
  server = await startBlocksDevServer({ entry: path.relative(process.cwd(), entry) });
});

afterAll(async () => {
  await server?.close();
  await rm(appDir, { recursive: true, force: true });
});

describe('local dev server', () => {
  it('serves the app and picks up an edit without a restart', async () => {
    expect((await call('app.greet')).body.result).toBe('v1');
    await writeFile(entry, appSource('v2'));
    const after = await eventually(() => call('app.greet'), (r) => r.body.result === 'v2');
    expect(after.body.result).toBe('v2');
  });

  it('answers a broken app with a JSON-RPC 500 and recovers when it is fixed', async () => {
    await writeFile(entry, `${appSource('v3')}\nexport const broken = ;`);
    const broken = await eventually(() => call('app.greet'), (r) => r.status === 500);
    expect(broken.status).toBe(500);
    expect(broken.body.error?.message).toMatch(/failed to load; see the dev server terminal/);
    expect(JSON.stringify(broken.body)).not.toMatch(/SyntaxError|index\.ts:\d/);
    await writeFile(entry, appSource('v4'));
    const fixed = await eventually(() => call('app.greet'), (r) => r.body.result === 'v4');
    expect(fixed.body.result).toBe('v4');
  });

  it('logs a request body cut off by its client as a debug line, not an error', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    try {
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      const head =
        `POST ${new URL(server.apiUrl).pathname} HTTP/1.1\r\nHost: ${hostname}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc"';
      // Sent before the hang-up, so the server sees a request whose body never completes.
      await new Promise<void>((resolve) => socket.write(head, () => resolve()));
      socket.destroy();
      const text = (spy: typeof debug): string => spy.mock.calls.map((args) => args.map(String).join(' ')).join('\n');
      await expect.poll(() => text(debug) + text(errors)).not.toBe('');
      expect(text(errors)).toBe('');
      expect(text(debug)).toMatch(/aborted/);
      expect((await call('app.greet')).status).toBe(200);
    } finally {
      errors.mockRestore();
      debug.mockRestore();
    }
  });

  it('answers other paths with 404', async () => {
    const response = await fetch(`${server.url}/somewhere-else`);
    expect(response.status).toBe(404);
  });
});
