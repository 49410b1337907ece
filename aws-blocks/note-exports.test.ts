/**
 * "Email me an export": the API only records the request and queues the
 * job; the job (run here the way the dev server runs it) writes the Markdown
 * file and mails the link; one request at a time per user, nobody sees
 * another user's export, and the nightly prune deletes only old files.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readEmailOutbox, type AsyncJob, type CronJob } from 'blocks-kit';
import { bearer, callRpc, createDispatcher, idTokenClaims, startJwksFixture, type Dispatcher, type JwksFixture } from 'blocks-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NoteExport } from './index.js';

const CLIENT_ID = 'test-client';
let jwks: JwksFixture;
let dispatcher: Dispatcher;
let dataDir: string;
let app: Record<string, unknown>;
const saved = { ...process.env };

function tokenFor(sub: string, email?: string): Record<string, string> {
  return bearer(jwks.mintToken(idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID, sub, ...(email !== undefined && { email }) })));
}

/** A declared Block of the app, found as the dev server finds it. */
function declared<T>(id: string): T {
  const scope = app.notes as { scope: { resources: ReadonlyMap<string, unknown> } };
  return scope.scope.resources.get(id) as T;
}

beforeAll(async () => {
  jwks = await startJwksFixture();
  dataDir = await mkdtemp(path.join(tmpdir(), 'note-exports-'));
  Object.assign(process.env, {
    BLOCKS_DATA_DIR: dataDir,
    ...jwks.verifierEnvironment(CLIENT_ID),
  });
  app = (await import('./index.js')) as Record<string, unknown>;
  dispatcher = createDispatcher(app, { logger: { error: () => {} } });
});

afterAll(async () => {
  process.env = saved;
  await jwks?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('note exports', () => {
  const ada = () => tokenFor('ada-sub', 'ada@example.com');

  it('queues an export, which the job writes and mails; a second request meanwhile returns the first', async () => {
    await callRpc(dispatcher, 'notes.create', { text: 'Hello **world**' }, ada());
    const first = await callRpc(dispatcher, 'noteExports.request', {}, { ...ada(), origin: 'http://localhost:5173' });
    expect(first.status).toBe(200);
    const requested = first.result as NoteExport;
    expect(requested).toMatchObject({ state: 'queued' });
    const again = await callRpc(dispatcher, 'noteExports.request', {}, ada());
    expect((again.result as NoteExport).id).toBe(requested.id);

    const job = declared<AsyncJob<unknown>>('note-exports');
    job.logSink = () => undefined;
    const work = job.startBackground(async () => job);
    try {
      await expect.poll(async () => ((await callRpc(dispatcher, 'noteExports.latest', {}, ada())).result as NoteExport).state).toBe('sent');
    } finally {
      await work.stop();
    }
    const latest = (await callRpc(dispatcher, 'noteExports.latest', {}, ada())).result as NoteExport;
    expect(latest).toMatchObject({ id: requested.id, noteCount: 1, downloadUrl: expect.stringMatching(/^\/aws-blocks\/files\/notes-app\/exports\//) });
    const [mail, ...more] = await readEmailOutbox({ scope: 'notes-app', id: 'mailer', to: 'ada@example.com' });
    expect(more).toEqual([]);
    expect(mail?.text).toMatch(/^Your 1 notes are ready: http:\/\/localhost:5173\/aws-blocks\/files\/notes-app\/exports\//);
  });

  it('keeps exports apart and refuses a user without an email address', async () => {
    expect((await callRpc(dispatcher, 'noteExports.latest', {}, tokenFor('eve-sub', 'eve@example.com'))).result).toBeNull();
    const noEmail = await callRpc(dispatcher, 'noteExports.request', {}, tokenFor('nomail-sub'));
    expect(noEmail.status).toBe(400);
    expect((await callRpc(dispatcher, 'noteExports.request', {})).status).toBe(401);
  });

  it('prunes export files older than 7 days and keeps newer ones', async () => {
    const latest = (await callRpc(dispatcher, 'noteExports.latest', {}, ada())).result as NoteExport;
    expect(latest.downloadUrl).toBeDefined();
    const prune = declared<CronJob>('prune-exports');
    prune.logSink = () => undefined;
    await prune.runNow(new Date().toISOString());
    expect(((await callRpc(dispatcher, 'noteExports.latest', {}, ada())).result as NoteExport).downloadUrl).toBeDefined();
    // Eight days on, the same file is old.
    await prune.runNow(new Date(Date.now() + 8 * 24 * 60 * 60 * 1000).toISOString());
    const after = (await callRpc(dispatcher, 'noteExports.latest', {}, ada())).result as NoteExport;
    expect(after.state).toBe('sent');
    expect(after.downloadUrl).toBeUndefined();
  });
});
