/**
 * The app's Blocks: everything exported here as an ApiNamespace is callable
 * from the frontend as `exportName.method` (see src/blocks.ts).
 * Locally this runs inside `npm run dev`; deployed, inside one Lambda.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  ApiNamespace,
  AppSetting,
  BadRequestError,
  CognitoVerifier,
  ConflictError,
  KVStore,
  NotFoundError,
  RawRoute,
  Scope,
  UnauthorizedError,
  withInput,
  type RequestContext,
} from 'blocks-kit';
// The namespace import lets esbuild drop the parts of zod the Lambda never
// uses; `import { z }` pulls in all of it (~330 KB more, every locale).
import * as z from 'zod';

const scope = new Scope('notes-app');

/** Verifies the Amplify-issued Cognito ID token on each call. */
const auth = new CognitoVerifier({
  userPoolId: process.env.COGNITO_USER_POOL_ID ?? '',
  clientId: process.env.COGNITO_CLIENT_ID ?? '',
  tokenUse: 'id',
});

export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Pass back to `update` to refuse overwriting someone else's newer edit. */
  readonly version: number;
}

type StoredNote = Omit<Note, 'version'>;

/** One item per note, keyed `<user sub>/<note id>`: a user's notes share one prefix. */
const noteStore = new KVStore<StoredNote>(scope, 'notes');

const MAX_TIME_ID = 36 ** 10 - 1;
/** Newest first in key order: a descending time part, then randomness. */
const NOTE_ID = /^[0-9a-z]{10}-[0-9a-f]{16}$/;

function newNoteId(): string {
  const descendingTime = (MAX_TIME_ID - Date.now()).toString(36).padStart(10, '0');
  return `${descendingTime}-${randomBytes(8).toString('hex')}`;
}

// Only the verified `sub` and a server-shaped id ever form a key; client
// text is never spliced into one.
const noteKey = (sub: string, id: string): string => `${sub}/${id}`;

/**
 * The caller's `sub`, the first segment of their keys. Cognito subs are
 * UUIDs; one holding a '/' would reach into another user's prefix
 * (`alice/x/...` lies under `alice/`), so such a token is refused.
 */
async function ownerOf(context: RequestContext): Promise<string> {
  const { sub } = await auth.requireAuth(context);
  if (sub.includes('/')) throw new UnauthorizedError();
  return sub;
}

const text = z.string().trim().min(1, 'Write something first').max(10_000, 'Keep notes under 10,000 characters');
const noteId = z.string().regex(NOTE_ID, 'Not a note id');

function toNote(item: { value: StoredNote; version: number }): Note {
  return { ...item.value, version: item.version };
}

export const notes = new ApiNamespace(scope, 'notes-api', (context) => ({
  create: withInput(z.object({ text }), async (input): Promise<Note> => {
    const sub = await ownerOf(context);
    const now = new Date().toISOString();
    const note: StoredNote = { id: newNoteId(), text: input.text, createdAt: now, updatedAt: now };
    const item = await noteStore.put(noteKey(sub, note.id), note, { ifNotExists: true });
    return toNote(item);
  }),

  list: withInput(
    z.object({ limit: z.number().int().min(1).max(100).default(20), cursor: z.string().max(2048).optional() }).default({
      limit: 20,
    }),
    async (input): Promise<{ items: Note[]; cursor?: string }> => {
      const sub = await ownerOf(context);
      const page = await noteStore.list({ prefix: `${sub}/`, limit: input.limit, ...(input.cursor && { cursor: input.cursor }) });
      return { items: page.items.map(toNote), ...(page.cursor && { cursor: page.cursor }) };
    },
  ),

  update: withInput(
    z.object({ id: noteId, text, version: z.number().int().positive().optional() }),
    async (input): Promise<Note> => {
      const sub = await ownerOf(context);
      const key = noteKey(sub, input.id);
      const current = await noteStore.get(key);
      if (!current) throw new NotFoundError('Note not found');
      if (input.version !== undefined && input.version !== current.version) {
        throw new ConflictError('This note changed since you opened it; reload and try again');
      }
      const next: StoredNote = { ...current.value, text: input.text, updatedAt: new Date().toISOString() };
      return toNote(await noteStore.put(key, next, { ifVersion: current.version }));
    },
  ),

  delete: withInput(z.object({ id: noteId }), async (input): Promise<{ deleted: true }> => {
    const sub = await ownerOf(context);
    if (!(await noteStore.delete(noteKey(sub, input.id)))) throw new NotFoundError('Note not found');
    return { deleted: true };
  }),
}));

export const account = new ApiNamespace(scope, 'account-api', (context) => ({
  /** Who the server thinks you are: handy for checking the token path end to end. */
  async me(): Promise<{ sub: string; email: string | undefined; groups: string[] }> {
    const user = await auth.requireAuth(context);
    return { sub: user.sub, email: user.email, groups: user.groups };
  },
}));

export const admin = new ApiNamespace(scope, 'admin-api', (context) => ({
  /** Only members of the Cognito `admins` group: others get 403. */
  async overview(): Promise<{ sampleSize: number; newestNoteAt: string | null }> {
    await auth.requireGroup(context, 'admins');
    // A bounded sample across all users: an admin view, not a per-user query.
    const page = await noteStore.list({ limit: 100 });
    const newest = page.items.map((item) => item.value.createdAt).sort().at(-1) ?? null;
    return { sampleSize: page.items.length, newestNoteAt: newest };
  },
}));

// ---------------------------------------------------------------------------
// A signed webhook: POST /aws-blocks/raw/webhooks/notes, for a service that
// notifies this app. The sender signs the exact body bytes with a shared
// secret: `x-notes-signature: sha256=<hex HMAC-SHA256(secret, body)>`.
// Set the secret locally with `npm run blocks:setting -- set
// notes-app/webhook-secret` (value on stdin); deployed, with
// `aws ssm put-parameter --type SecureString` (see README.md).

const webhookSecret = new AppSetting(scope, 'webhook-secret', { secret: true });

interface WebhookEvent {
  readonly receivedAt: string;
  readonly payload: unknown;
}

/** One item per delivery, newest first in key order. */
const webhookEvents = new KVStore<WebhookEvent>(scope, 'webhook-events');

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Compares in constant time, so response timing reveals nothing about the expected signature. */
function signatureMatches(header: string | null, body: Uint8Array, secret: string): boolean {
  const provided = SIGNATURE.exec(header ?? '')?.[1];
  if (provided === undefined) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  return timingSafeEqual(expected, Buffer.from(provided, 'hex'));
}

new RawRoute(scope, 'notes-webhook', {
  method: 'POST',
  path: '/webhooks/notes',
  maxBodyBytes: 64 * 1024,
  handler: async (request) => {
    if (!signatureMatches(request.headers.get('x-notes-signature'), request.body, await webhookSecret.get())) {
      throw new UnauthorizedError('Missing or invalid signature');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
    } catch {
      throw new BadRequestError('The body must be JSON');
    }
    const id = newNoteId();
    await webhookEvents.put(id, { receivedAt: new Date().toISOString(), payload }, { ifNotExists: true });
    return { status: 202, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ received: true, id }) };
  },
});
