/**
 * The sample's signed webhook, served by the local dev server exactly as
 * `npm run dev` serves it: HMAC-SHA256 over the raw body with the
 * `notes-app/webhook-secret` AppSetting, events stored in a KVStore, 401 for
 * a bad or missing signature, and the secret in no response or log line.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KVStore, Scope } from 'blocks-kit';
import { startBlocksDevServer, type BlocksDevServer } from 'blocks-kit/server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const SECRET = 'whsec_local_3f9a1c7e5b2d4086';
const saved = process.env.BLOCKS_DATA_DIR;
let dataDir: string;
let server: BlocksDevServer;
const logged: string[] = [];
const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
  vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map((a) => (a instanceof Error ? `${a.stack}` : String(a))).join(' '))),
);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'notes-webhook-'));
  process.env.BLOCKS_DATA_DIR = dataDir;
  // What `npm run blocks:setting -- set notes-app/webhook-secret` writes.
  await writeFile(path.join(dataDir, 'settings.json'), JSON.stringify({ 'notes-app/webhook-secret': SECRET }), { mode: 0o600 });
  server = await startBlocksDevServer();
});

afterAll(async () => {
  await server?.close();
  for (const spy of spies) spy.mockRestore();
  if (saved === undefined) delete process.env.BLOCKS_DATA_DIR;
  else process.env.BLOCKS_DATA_DIR = saved;
  await rm(dataDir, { recursive: true, force: true });
});

const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

async function deliver(body: string, signature?: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}/aws-blocks/raw/webhooks/notes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature !== undefined && { 'x-notes-signature': signature }) },
    body,
  });
  return { status: response.status, text: await response.text() };
}

describe('the sample webhook', () => {
  it('accepts a correctly signed delivery and stores the event', async () => {
    const body = JSON.stringify({ type: 'note.shared', noteId: 'n-1' });
    const answer = await deliver(body, sign(body));
    expect(answer.status).toBe(202);
    const { id } = JSON.parse(answer.text) as { id: string };
    const stored = await new KVStore<{ payload: unknown; receivedAt: string }>(new Scope('notes-app'), 'webhook-events').get(id);
    expect(stored?.value.payload).toEqual({ type: 'note.shared', noteId: 'n-1' });
  });

  it('answers 401 to a missing, malformed or wrong signature, and to a body changed after signing', async () => {
    const body = JSON.stringify({ type: 'note.deleted' });
    const cases: [string, string | undefined, string][] = [
      ['missing', undefined, body],
      ['malformed', 'sha256=zz', body],
      ['another secret', sign(body, 'whsec_guess'), body],
      ['tampered body', sign(body), JSON.stringify({ type: 'note.deleted', admin: true })],
      ['upper-case prefix with wrong digest', `SHA256=${'0'.repeat(64)}`, body],
    ];
    for (const [what, signature, sent] of cases) {
      const answer = await deliver(sent, signature);
      expect(answer.status, what).toBe(401);
      expect(JSON.parse(answer.text), what).toEqual({ name: 'UnauthorizedError', message: 'Missing or invalid signature' });
    }
  });

  it('answers 400 to a signed body that is not JSON, and 413 to an oversized one', async () => {
    expect((await deliver('not json', sign('not json'))).status).toBe(400);
    const huge = JSON.stringify({ text: 'x'.repeat(70_000) });
    expect((await deliver(huge, sign(huge))).status).toBe(413);
  });

  it('answers 500 with only a request id while the secret is unset, logging how to set it', async () => {
    const file = path.join(dataDir, 'settings.json');
    await rm(file);
    try {
      logged.length = 0;
      const answer = await deliver('{}', sign('{}'));
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text)).toMatchObject({ name: 'InternalError' });
      expect(answer.text).not.toMatch(/webhook-secret|blocks:setting/);
      expect(logged.join('\n')).toContain('npm run blocks:setting -- set notes-app/webhook-secret <value>');
    } finally {
      await writeFile(file, JSON.stringify({ 'notes-app/webhook-secret': SECRET }), { mode: 0o600 });
    }
  });

  it('never shows the secret in a response or a log line', async () => {
    const answers = [await deliver('{}', sign('{}', 'wrong')), await deliver('{}'), await deliver('nope', sign('nope'))];
    for (const answer of answers) expect(answer.text).not.toContain(SECRET);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.join('\n')).not.toContain(SECRET);
  });
});
