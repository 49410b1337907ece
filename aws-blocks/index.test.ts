import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  bearer,
  callRpc,
  createDispatcher,
  createRouter,
  idTokenClaims,
  startJwksFixture,
  type Dispatcher,
  type JwksFixture,
} from 'blocks-kit/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresignedUpload } from 'blocks-kit';
import { LocalKVStore } from '../packages/blocks/src/blocks/kv-store/local-store.js';
import type { Attachment, Note } from './index.js';

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
    ...jwks.verifierEnvironment(CLIENT_ID),
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
    // zod/mini ships no messages of its own: the sample configures the English ones.
    expect(badLimit.error?.data.details).toEqual({ issues: [{ path: 'limit', message: 'Too big: expected number to be <=100' }] });
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

describe('isolation, property-based: whatever another user sends, Alice’s notes do not change', () => {
  const owner = 'iso-alice';
  // Other users, some with subs that look like or begin like hers.
  const attackers = ['iso-bob', 'iso', 'iso-alic', 'ISO-ALICE', 'iso-alice\u200b', 'iso\u2010alice', 'iso-alice ', 'iso-alice/x'];
  let notes: Note[];
  let herCursor: string;

  /** Alice's records as the store holds them (value, version, expiry): key → JSON. */
  async function herFiles(): Promise<Map<string, string>> {
    // The same directory, and so the same open database, as the app's `notes` store.
    const store = new LocalKVStore(path.join(dataDir, 'kv', 'notes-app', 'notes'));
    const records = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await store.list({ prefix: `${owner}/`, limit: 1000, cursor });
      for (const item of page.items) records.set(item.key, JSON.stringify(item));
      cursor = page.cursor;
    } while (cursor !== undefined);
    return records;
  }

  beforeAll(async () => {
    notes = [];
    for (const text of ['first secret', 'second secret', 'third secret']) {
      notes.unshift((await callRpc<Note>(dispatcher, 'notes.create', { text }, tokenFor(owner))).result!);
    }
    herCursor = (await callRpc<Page>(dispatcher, 'notes.list', { limit: 1 }, tokenFor(owner))).result!.cursor!;
  });

  const cursorOf = (key: string): string => Buffer.from(`k1:${key}`, 'utf8').toString('base64url');
  const lookAlike = (id: string): fc.Arbitrary<string> =>
    fc.constantFrom(
      id.replace(/[0-9]/, (d) => String.fromCharCode(0xff10 + Number(d))), // full-width digit
      id.replace(/[a-f]/, (c) => ({ a: '\u0430', b: '\u0184', c: '\u0441', d: '\u0501', e: '\u0435', f: '\u0192' })[c] ?? c),
      `${id.slice(0, 5)}\u200d${id.slice(5)}`,
      id.toUpperCase(),
      `${id}\n`,
      `${id}\u0000`,
    );

  function hostileIdArb(): fc.Arbitrary<string> {
    return fc.constantFrom(...notes.map((note) => note.id)).chain((id) =>
      fc.oneof(
        fc.constant(id),
        fc.constantFrom(`${owner}/${id}`, `../${owner}/${id}`, `${id}/..`, `${id}#x`, `${owner}#${id}`, `%2e%2e%2f${owner}%2f${id}`, `./${id}`, `${id}/`, `/${id}`),
        lookAlike(id),
        fc.stringMatching(/^[0-9a-z]{10}-[0-9a-f]{16}$/),
        fc.string({ maxLength: 40 }),
      ),
    );
  }

  function hostileCursorArb(): fc.Arbitrary<string> {
    return fc.oneof(
      fc.constant(herCursor),
      fc.constantFrom(...notes.map((note) => cursorOf(`${owner}/${note.id}`))),
      fc.constantFrom(cursorOf(`${owner}/`), cursorOf(owner), cursorOf(''), `${herCursor}=`, `${herCursor}.`, herCursor.slice(0, -1)),
      fc.constantFrom(...attackers).map((sub) => cursorOf(`${sub}/../${owner}/${notes[0]!.id}`)),
      fc.string({ maxLength: 60 }),
    );
  }

  type Attack =
    | { readonly op: 'update'; readonly params: Record<string, unknown> }
    | { readonly op: 'delete'; readonly params: Record<string, unknown> }
    | { readonly op: 'list'; readonly params: Record<string, unknown> }
    | { readonly op: 'create'; readonly params: Record<string, unknown> }
    | { readonly op: 'me' }
    | { readonly op: 'admin' };

  function attackArb(): fc.Arbitrary<Attack> {
    // Fields the app must ignore: identity comes from the token, never from params.
    const smuggled = fc.record({ sub: fc.constant(owner), owner: fc.constant(owner), key: fc.constant(`${owner}/${notes[0]!.id}`), prefix: fc.constant(`${owner}/`) }, { requiredKeys: [] });
    return fc.oneof(
      fc.record({ id: hostileIdArb(), text: fc.string({ minLength: 1, maxLength: 20 }), version: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }), extra: smuggled })
        .map(({ id, text, version, extra }): Attack => ({ op: 'update', params: { ...extra, id, text, ...(version !== undefined && { version }) } })),
      fc.record({ id: hostileIdArb(), extra: smuggled }).map(({ id, extra }): Attack => ({ op: 'delete', params: { ...extra, id } })),
      fc.record({ cursor: fc.option(hostileCursorArb(), { nil: undefined }), limit: fc.integer({ min: 1, max: 100 }), extra: smuggled })
        .map(({ cursor, limit, extra }): Attack => ({ op: 'list', params: { ...extra, limit, ...(cursor !== undefined && { cursor }) } })),
      fc.record({ text: fc.string({ minLength: 1, maxLength: 20 }), extra: smuggled }).map(({ text, extra }): Attack => ({ op: 'create', params: { ...extra, text } })),
      fc.constantFrom<Attack>({ op: 'me' }, { op: 'admin' }),
    );
  }

  it('no id, key trick, look-alike, foreign cursor or smuggled owner field reads or changes her notes', async () => {
    const filesBefore = await herFiles();
    expect(filesBefore.size).toBe(notes.length);
    const herIds = new Set(notes.map((note) => note.id));
    const herTexts = new Set(notes.map((note) => note.text));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...attackers), fc.array(attackArb(), { minLength: 1, maxLength: 3 }), async (attacker, attacks) => {
        const token = tokenFor(attacker);
        for (const attack of attacks) {
          if (attack.op === 'me') {
            const me = await callRpc<{ sub: string }>(dispatcher, 'account.me', [], token);
            expect(me.result?.sub).toBe(attacker);
          } else if (attack.op === 'admin') {
            expect((await callRpc(dispatcher, 'admin.overview', [], token)).status).toBe(403);
          } else {
            const outcome = await callRpc<unknown>(dispatcher, `notes.${attack.op}`, attack.params, token);
            // 200 for the attacker's own data, 400 for a malformed id or cursor, 404 for an id they do not own;
            // a sub with '/' would reach into another prefix, so it gets no notes at all.
            const allowed = attacker.includes('/') ? [400, 401] : [200, 400, 404];
            expect(allowed, JSON.stringify(outcome)).toContain(outcome.status);
            if (attack.op === 'update' || attack.op === 'delete') expect(outcome.status).not.toBe(200);
            if (attack.op === 'list' && outcome.status === 200) {
              for (const item of (outcome.result as Page).items) {
                expect(herIds.has(item.id) || herTexts.has(item.text), `${attacker} listed ${JSON.stringify(item)}`).toBe(false);
              }
            }
          }
        }
      }),
      { numRuns: 80 },
    );
    expect(await herFiles()).toEqual(filesBefore);
    expect((await callRpc<Page>(dispatcher, 'notes.list', { limit: 100 }, tokenFor(owner))).result!.items).toEqual(notes);
  });
});

describe('attachments', () => {
  const carol = () => tokenFor('carol-sub');
  const dave = () => tokenFor('dave-sub');
  type Issued = { id: string; upload: PresignedUpload };

  /** What the browser does with a presigned upload: a form POST through the dev server's route. */
  async function post(upload: PresignedUpload, bytes: Uint8Array): Promise<number> {
    const router = createRouter(await import('./index.js'));
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append('file', new Blob([new Uint8Array(bytes)]), 'file');
    const request = new Request(`http://localhost${upload.url}`, { method: 'POST', body: form });
    const response = await router.handle({
      method: 'POST',
      path: new URL(request.url).pathname,
      query: new URLSearchParams(),
      headers: request.headers,
      readBody: async () => ({ body: new Uint8Array(await request.arrayBuffer()), tooLarge: false }),
      stream: async function* () {
        yield new Uint8Array(await request.arrayBuffer());
      },
    });
    return response.status;
  }

  it('uploads, lists with view and download URLs, removes, and goes with its note', async () => {
    const note = (await callRpc<Note>(dispatcher, 'notes.create', { text: 'with files' }, carol())).result!;
    const issued = await callRpc<Issued>(
      dispatcher,
      'notes.attachmentUploadUrl',
      { noteId: note.id, name: 'Holiday photo (1).PNG', contentType: 'image/png', size: 3 },
      carol(),
    );
    expect(issued.status).toBe(200);
    const { id, upload } = issued.result!;
    expect(id).toMatch(/^[0-9a-f]{16}-Holiday_photo_1_\.png$/);
    expect(upload.key).toBe(`carol-sub/${note.id}/${id}`);
    expect(await post(upload, new Uint8Array([1, 2, 3]))).toBe(204);

    const listed = await callRpc<Attachment[]>(dispatcher, 'notes.attachments', { noteId: note.id }, carol());
    expect(listed.result).toEqual([
      expect.objectContaining({ id, name: 'Holiday_photo_1_.png', size: 3, contentType: 'image/png' }),
    ]);
    expect(listed.result![0]!.downloadUrl).toContain('filename=Holiday_photo_1_.png');

    expect((await callRpc(dispatcher, 'notes.removeAttachment', { noteId: note.id, id }, carol())).result).toEqual({ deleted: true });
    expect((await callRpc<Attachment[]>(dispatcher, 'notes.attachments', { noteId: note.id }, carol())).result).toEqual([]);

    const again = (await callRpc<Issued>(dispatcher, 'notes.attachmentUploadUrl', { noteId: note.id, name: 'a.pdf', contentType: 'application/pdf', size: 1 }, carol())).result!;
    expect(await post(again.upload, new Uint8Array([9]))).toBe(204);
    await callRpc(dispatcher, 'notes.delete', { id: note.id }, carol());
    const files = await readdir(path.join(dataDir, 'files', 'notes-app', 'attachments'), { recursive: true });
    expect(files.filter((name) => name.endsWith('.json') || name.endsWith('.bin'))).toEqual([]);
  });

  it('refuses more than 10 MB, other types, and anyone but the owner', async () => {
    const note = (await callRpc<Note>(dispatcher, 'notes.create', { text: 'private files' }, carol())).result!;
    const ask = (input: Record<string, unknown>, who = carol()) =>
      callRpc(dispatcher, 'notes.attachmentUploadUrl', { noteId: note.id, name: 'x.png', contentType: 'image/png', size: 10, ...input }, who);
    const big = await ask({ size: 11 * 1024 * 1024 });
    expect(big.status).toBe(413);
    expect(big.error?.message).toBe('Attachments are limited to 10 MB');
    expect((await ask({ contentType: 'text/html' })).status).toBe(400);
    expect((await ask({}, dave())).status).toBe(404);
    expect((await callRpc(dispatcher, 'notes.attachments', { noteId: note.id }, dave())).status).toBe(404);

    const { id, upload } = (await ask({})).result as Issued;
    expect(await post(upload, new Uint8Array(10))).toBe(204);
    expect((await callRpc(dispatcher, 'notes.removeAttachment', { noteId: note.id, id }, dave())).status).toBe(404);
    expect((await callRpc<Attachment[]>(dispatcher, 'notes.attachments', { noteId: note.id }, carol())).result).toHaveLength(1);
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
