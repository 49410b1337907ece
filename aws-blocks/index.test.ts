import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  bearer,
  callRpc,
  createDispatcher,
  idTokenClaims,
  startJwksFixture,
  type Dispatcher,
  type JwksFixture,
} from 'blocks-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Note } from './index.js';

const CLIENT_ID = 'test-client';
let jwks: JwksFixture;
let dispatcher: Dispatcher;
let dataDir: string;
const saved = { ...process.env };

type Page = { items: Note[]; cursor?: string };

function tokenFor(sub: string, groups: string[] = []): Record<string, string> {
  return bearer(jwks.mintToken(idTokenClaims({ issuer: jwks.issuer, clientId: CLIENT_ID, sub, email: `${sub}@example.com`, groups })));
}

beforeAll(async () => {
  jwks = await startJwksFixture();
  dataDir = await mkdtemp(path.join(tmpdir(), 'notes-app-'));
  // The same variables the local dev server and the Lambda provide.
  Object.assign(process.env, {
    BLOCKS_DATA_DIR: dataDir,
    COGNITO_USER_POOL_ID: jwks.poolId,
    COGNITO_CLIENT_ID: CLIENT_ID,
    COGNITO_ISSUER: jwks.issuer,
    COGNITO_JWKS_URI: jwks.jwksUri,
  });
  dispatcher = createDispatcher(await import('./index.js'), { logger: { error: () => {} } });
});

afterAll(async () => {
  process.env = saved;
  await jwks?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('notes', () => {
  const alice = () => tokenFor('alice-sub');
  const bob = () => tokenFor('bob-sub');

  it('requires a signed-in user', async () => {
    const response = await callRpc(dispatcher, 'notes.list', {});
    expect(response.status).toBe(401);
    const forged = await callRpc(dispatcher, 'notes.list', {}, bearer('not.a.token'));
    expect(forged.status).toBe(401);
  });

  it('creates, lists newest first, updates and deletes a note', async () => {
    const first = await callRpc<Note>(dispatcher, 'notes.create', { text: 'first' }, alice());
    const second = await callRpc<Note>(dispatcher, 'notes.create', { text: '  second  ' }, alice());
    expect(first.status).toBe(200);
    expect(second.result).toMatchObject({ text: 'second', version: 1 });
    const list = await callRpc<Page>(dispatcher, 'notes.list', {}, alice());
    expect(list.result?.items.map((n) => n.text)).toEqual(['second', 'first']);

    const id = first.result!.id;
    const updated = await callRpc<Note>(dispatcher, 'notes.update', { id, text: 'first, edited', version: 1 }, alice());
    expect(updated.result).toMatchObject({ id, text: 'first, edited', version: 2 });
    const stale = await callRpc(dispatcher, 'notes.update', { id, text: 'lost edit', version: 1 }, alice());
    expect(stale.status).toBe(409);

    expect((await callRpc(dispatcher, 'notes.delete', { id }, alice())).result).toEqual({ deleted: true });
    expect((await callRpc(dispatcher, 'notes.delete', { id }, alice())).status).toBe(404);
  });

  it('paginates with a cursor', async () => {
    const user = () => tokenFor('paging-sub');
    for (let i = 0; i < 5; i++) await callRpc(dispatcher, 'notes.create', { text: `n${i}` }, user());
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await callRpc<Page>(dispatcher, 'notes.list', { limit: 2, ...(cursor && { cursor }) }, user());
      expect(page.result!.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.result!.items.map((n) => n.text));
      cursor = page.result!.cursor;
    } while (cursor);
    expect(seen).toEqual(['n4', 'n3', 'n2', 'n1', 'n0']);
  });

  it('rejects bad input with 400 and the field path', async () => {
    const empty = await callRpc(dispatcher, 'notes.create', { text: '   ' }, alice());
    expect(empty.status).toBe(400);
    expect(empty.error?.data.details).toEqual({ issues: [{ path: 'text', message: 'Write something first' }] });
    const huge = await callRpc(dispatcher, 'notes.create', { text: 'x'.repeat(10_001) }, alice());
    expect(huge.status).toBe(400);
    const badLimit = await callRpc(dispatcher, 'notes.list', { limit: 1000 }, alice());
    expect(badLimit.status).toBe(400);
  });

  describe('isolation: Bob cannot reach Alice’s notes', () => {
    let aliceNote: Note;

    beforeAll(async () => {
      aliceNote = (await callRpc<Note>(dispatcher, 'notes.create', { text: 'alice private' }, alice())).result!;
    });

    async function aliceStillHas(note: Note): Promise<void> {
      const page = await callRpc<Page>(dispatcher, 'notes.list', { limit: 100 }, alice());
      expect(page.result!.items).toContainEqual(note);
    }

    it('does not list them', async () => {
      const page = await callRpc<Page>(dispatcher, 'notes.list', { limit: 100 }, bob());
      expect(page.result!.items.some((n) => n.text.startsWith('alice'))).toBe(false);
      expect(page.result!.items).toHaveLength(0);
    });

    it('cannot update or delete them by id', async () => {
      expect((await callRpc(dispatcher, 'notes.update', { id: aliceNote.id, text: 'pwned' }, bob())).status).toBe(404);
      expect((await callRpc(dispatcher, 'notes.delete', { id: aliceNote.id }, bob())).status).toBe(404);
      await aliceStillHas(aliceNote);
    });

    it.each([
      ['a path into her prefix', `../alice-sub/${'0'.repeat(10)}`],
      ['her sub as the id', 'alice-sub'],
      ['a slash', 'alice-sub/x'],
      ['a hash', 'alice-sub#x'],
      ['dot segments', '..'],
      ['a full-width look-alike', `${'０'.repeat(10)}-${'0'.repeat(16)}`],
      ['an empty id', ''],
    ])('refuses %s as an id with 400', async (_label, id) => {
      const update = await callRpc(dispatcher, 'notes.update', { id, text: 'pwned' }, bob());
      expect(update.status).toBe(400);
      expect((await callRpc(dispatcher, 'notes.delete', { id }, bob())).status).toBe(400);
      await aliceStillHas(aliceNote);
    });

    it('cannot use her list cursor to page into her notes', async () => {
      await callRpc(dispatcher, 'notes.create', { text: 'alice again' }, alice());
      const herPage = await callRpc<Page>(dispatcher, 'notes.list', { limit: 1 }, alice());
      expect(herPage.result!.cursor).toBeDefined();
      const bobPage = await callRpc<Page>(dispatcher, 'notes.list', { limit: 100, cursor: herPage.result!.cursor }, bob());
      expect(bobPage.result?.items ?? []).toHaveLength(0);
    });
  });
});

describe('admin', () => {
  it('refuses non-admins with 403 and serves admins', async () => {
    expect((await callRpc(dispatcher, 'admin.overview', [])).status).toBe(401);
    expect((await callRpc(dispatcher, 'admin.overview', [], tokenFor('plain-user'))).status).toBe(403);
    const ok = await callRpc<{ sampleSize: number }>(dispatcher, 'admin.overview', [], tokenFor('boss', ['admins']));
    expect(ok.status).toBe(200);
    expect(ok.result!.sampleSize).toBeGreaterThan(0);
  });
});

describe('account', () => {
  it('reports the verified identity', async () => {
    const me = await callRpc(dispatcher, 'account.me', [], tokenFor('carol-sub', ['editors']));
    expect(me.result).toEqual({ sub: 'carol-sub', email: 'carol-sub@example.com', groups: ['editors'] });
  });
});
