/**
 * The app's Blocks: everything exported here as an ApiNamespace is callable
 * from the frontend as `exportName.method` (see src/blocks.ts).
 * Locally this runs inside `npm run dev`; deployed, inside one Lambda.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  ApiNamespace,
  AppSetting,
  AsyncJob,
  BadRequestError,
  CognitoVerifier,
  ConflictError,
  CronJob,
  EmailClient,
  FileBucket,
  KVStore,
  NotFoundError,
  RawRoute,
  PayloadTooLargeError,
  Scope,
  UnauthorizedError,
  withInput,
  type PresignedUpload,
  type RequestContext,
} from 'blocks-kit';
// zod's mini build: the same schemas and errors as `zod`, written with
// functions (`z.optional(s)`, `.check(z.maxLength(n))`) instead of methods,
// so the bundle keeps only what is used. With the classic `zod` API these
// schemas cost every Lambda cold start ~9 ms more (94 KB of zod parsed, and
// each schema instance built with every method attached); both work with the
// kit, which takes any Standard Schema. docs/performance.md, round five.
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// zod/mini has no messages of its own ("Invalid input" for every issue): use zod's English ones.
z.config(en());

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

/** What a note may carry, by content type, and the file extension its key gets. */
const ATTACHMENT_TYPES = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
} as const;
type AttachmentType = keyof typeof ATTACHMENT_TYPES;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/**
 * A note's attachments, keyed `<user sub>/<note id>/<file id>`: the browser
 * uploads and downloads them directly (presigned URLs), never through the API.
 */
const attachmentBucket = new FileBucket(scope, 'attachments', {
  allowedContentTypes: Object.keys(ATTACHMENT_TYPES),
  maxBytes: MAX_ATTACHMENT_BYTES,
  keyPattern: /^[^/]+\/[0-9a-z]{10}-[0-9a-f]{16}\/[0-9a-f]{16}-[A-Za-z0-9._-]{1,100}$/,
});

export interface Attachment {
  /** Pass back to `removeAttachment`. */
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly contentType: string;
  readonly uploadedAt: string;
  /** Shows the file inline (an image's thumbnail); expires in minutes. */
  readonly viewUrl: string;
  /** Downloads the file under its name; expires in minutes. */
  readonly downloadUrl: string;
}

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

const FILE_ID = /^[0-9a-f]{16}-[A-Za-z0-9._-]{1,100}$/;
const contentTypeOf = (id: string): string =>
  Object.entries(ATTACHMENT_TYPES).find(([, extension]) => id.endsWith(`.${extension}`))?.[0] ?? 'application/octet-stream';
/** The name as shown: the id without its random prefix. */
const nameOf = (id: string): string => id.slice(17);

/** A file name that is safe in a key and a header: letters, digits, `.`, `_`, `-`, with the type's extension. */
function safeFileName(name: string, type: AttachmentType): string {
  const extension = ATTACHMENT_TYPES[type];
  const base = name
    .replace(/\.[^.]*$/, '')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 80);
  return `${base || 'file'}.${extension}`;
}

/** Refuses unless the caller owns the note: another user's note id is simply not found. */
async function requireNote(sub: string, id: string): Promise<void> {
  if (!(await noteStore.get(noteKey(sub, id)))) throw new NotFoundError('Note not found');
}

async function deleteAttachments(sub: string, id: string): Promise<void> {
  for (;;) {
    const page = await attachmentBucket.list({ prefix: `${noteKey(sub, id)}/`, limit: 100 });
    await Promise.all(page.items.map((item) => attachmentBucket.delete(item.key)));
    if (!page.cursor) return;
  }
}

function toNote(item: { value: StoredNote; version: number }): Note {
  return { ...item.value, version: item.version };
}

/**
 * The notes API's input schemas, built by the first notes call and kept.
 * Not inside the namespace factory, which runs on every request: rebuilding
 * (and re-JIT-compiling) every schema per call cost more than the store read.
 * Not at module load either: then every Lambda cold start would pay for them
 * (~2-3 ms), including one whose first call is account.me or a webhook.
 */
function buildNoteSchemas() {
  const text = z.string().check(z.trim(), z.minLength(1, 'Write something first'), z.maxLength(10_000, 'Keep notes under 10,000 characters'));
  const noteId = z.string().check(z.regex(NOTE_ID, 'Not a note id'));
  const fileId = z.string().check(z.regex(FILE_ID, 'Not an attachment id'));
  return {
    create: z.object({ text }),
    list: z._default(
      z.object({ limit: z._default(z.int().check(z.minimum(1), z.maximum(100)), 20), cursor: z.optional(z.string().check(z.maxLength(2048))) }),
      { limit: 20 },
    ),
    update: z.object({ id: noteId, text, version: z.optional(z.int().check(z.positive())) }),
    delete: z.object({ id: noteId }),
    uploadUrl: z.object({
      noteId,
      name: z.string().check(z.minLength(1), z.maxLength(255)),
      contentType: z.enum(Object.keys(ATTACHMENT_TYPES) as [AttachmentType, ...AttachmentType[]], 'Attach images or PDFs'),
      size: z.int().check(z.minimum(1, 'This file is empty')),
    }),
    attachments: z.object({ noteId }),
    removeAttachment: z.object({ noteId, id: fileId }),
  };
}
let noteSchemas: ReturnType<typeof buildNoteSchemas> | undefined;

export const notes = new ApiNamespace(scope, 'notes-api', (context) => {
  const schemas = (noteSchemas ??= buildNoteSchemas());
  return {
    create: withInput(schemas.create, async (input): Promise<Note> => {
      const sub = await ownerOf(context);
      const now = new Date().toISOString();
      const note: StoredNote = { id: newNoteId(), text: input.text, createdAt: now, updatedAt: now };
      const item = await noteStore.put(noteKey(sub, note.id), note, { ifNotExists: true });
      return toNote(item);
    }),

    list: withInput(
      schemas.list,
      async (input): Promise<{ items: Note[]; cursor?: string }> => {
        const sub = await ownerOf(context);
        const page = await noteStore.list({ prefix: `${sub}/`, limit: input.limit, ...(input.cursor && { cursor: input.cursor }) });
        return { items: page.items.map(toNote), ...(page.cursor && { cursor: page.cursor }) };
      },
    ),

    update: withInput(
      schemas.update,
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

    delete: withInput(schemas.delete, async (input): Promise<{ deleted: true }> => {
      const sub = await ownerOf(context);
      if (!(await noteStore.delete(noteKey(sub, input.id)))) throw new NotFoundError('Note not found');
      // After the note: a failure here leaves orphan files, never a note whose files are gone.
      await deleteAttachments(sub, input.id);
      return { deleted: true };
    }),

    /** A presigned upload for one file of the caller's note; the browser POSTs the file straight to storage. */
    attachmentUploadUrl: withInput(
      schemas.uploadUrl,
      async (input): Promise<{ id: string; upload: PresignedUpload }> => {
        const sub = await ownerOf(context);
        // The declared size gives a readable refusal; storage enforces the real one.
        if (input.size > MAX_ATTACHMENT_BYTES) throw new PayloadTooLargeError('Attachments are limited to 10 MB');
        await requireNote(sub, input.noteId);
        const id = `${randomBytes(8).toString('hex')}-${safeFileName(input.name, input.contentType)}`;
        const upload = await attachmentBucket.createUploadUrl(`${noteKey(sub, input.noteId)}/${id}`, {
          contentType: input.contentType,
          expiresIn: 600,
        });
        return { id, upload };
      },
    ),

    /** The caller's note's files, with short-lived URLs to view and download each. */
    attachments: withInput(schemas.attachments, async (input): Promise<Attachment[]> => {
      const sub = await ownerOf(context);
      await requireNote(sub, input.noteId);
      const prefix = `${noteKey(sub, input.noteId)}/`;
      const page = await attachmentBucket.list({ prefix, limit: 100 });
      return Promise.all(
        page.items.map(async (item): Promise<Attachment> => {
          const id = item.key.slice(prefix.length);
          const [view, download] = await Promise.all([
            attachmentBucket.createDownloadUrl(item.key, { expiresIn: 900 }),
            attachmentBucket.createDownloadUrl(item.key, { expiresIn: 900, filename: nameOf(id) }),
          ]);
          return { id, name: nameOf(id), size: item.size, contentType: contentTypeOf(id), uploadedAt: item.lastModified, viewUrl: view.url, downloadUrl: download.url };
        }),
      );
    }),

    removeAttachment: withInput(schemas.removeAttachment, async (input): Promise<{ deleted: true }> => {
      const sub = await ownerOf(context);
      await requireNote(sub, input.noteId);
      const key = `${noteKey(sub, input.noteId)}/${input.id}`;
      if (!(await attachmentBucket.head(key))) throw new NotFoundError('Attachment not found');
      await attachmentBucket.delete(key);
      return { deleted: true };
    }),
  };
});

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
// "Email me an export of my notes": the API method only records the request
// and enqueues a job; the job (in the background, with retries) writes the
// caller's notes as one Markdown file and emails a download link. A nightly
// schedule deletes exports older than 7 days.

/** One Markdown file per export, keyed `<user sub>/<export id>.md`; written by the job only. */
const exportFiles = new FileBucket(scope, 'exports', {
  allowedContentTypes: ['text/markdown'],
  maxBytes: 50 * 1024 * 1024,
  keyPattern: /^[^/]+\/[0-9a-z]{10}-[0-9a-f]{16}\.md$/,
});

/**
 * Deployed, `from` must be an address of an SES identity you verified
 * (README, "Email"): change it before deploying. It is a constant, not an
 * environment variable, because synthesis grants sending as exactly this
 * identity and the function must name the same one.
 */
const mailer = new EmailClient(scope, 'mailer', { from: { address: 'no-reply@example.com', name: 'Notes' } });

export type ExportState = 'queued' | 'writing' | 'sent' | 'failed';

export interface NoteExport {
  readonly id: string;
  readonly state: ExportState;
  readonly requestedAt: string;
  readonly finishedAt?: string;
  readonly noteCount?: number;
  /** Present once sent and until the file is pruned; expires in minutes. */
  readonly downloadUrl?: string;
}

type StoredExport = Omit<NoteExport, 'downloadUrl'> & { readonly file?: string };

/** The caller's latest export request, keyed `<user sub>`: one at a time per user. */
const exportRequests = new KVStore<StoredExport>(scope, 'export-requests');

const EXPORT_RETRIES = 3;
const EXPORT_MAX_AGE_DAYS = 7;
/** A request still queued or being written after this long no longer blocks a new one. */
const STUCK_AFTER_MS = 15 * 60 * 1000;

interface ExportPayload {
  readonly sub: string;
  readonly email: string;
  readonly exportId: string;
  /** The browser origin of the request, for the link when storage URLs are root-relative (local). */
  readonly origin?: string;
}

/** Sets the state of export `id` unless a newer request replaced it (then the user asked again and this one is moot). */
async function setExportState(sub: string, id: string, change: Partial<StoredExport>): Promise<void> {
  const current = await exportRequests.get(sub);
  if (current?.value.id !== id) return;
  await exportRequests.put(sub, { ...current.value, ...change }, { ifVersion: current.version });
}

function toMarkdown(items: readonly StoredNote[], exportedAt: string): string {
  const body = items.map((note) => `## ${note.createdAt}\n\n${note.text}\n`).join('\n---\n\n');
  return `# My notes\n\nExported ${exportedAt}: ${items.length} note${items.length === 1 ? '' : 's'}.\n\n${body}`;
}

const exportJob = new AsyncJob<ExportPayload>(scope, 'note-exports', {
  retries: EXPORT_RETRIES,
  visibilityTimeout: 120,
  handler: async ({ sub, email, exportId, origin }, { attempt, log }) => {
    try {
      await setExportState(sub, exportId, { state: 'writing' });
      const items: StoredNote[] = [];
      let cursor: string | undefined;
      do {
        const page = await noteStore.list({ prefix: `${sub}/`, limit: 100, ...(cursor && { cursor }) });
        items.push(...page.items.map((item) => item.value));
        cursor = page.cursor;
      } while (cursor);
      const exportedAt = new Date().toISOString();
      const file = `${sub}/${exportId}.md`;
      await exportFiles.put(file, toMarkdown(items, exportedAt), { contentType: 'text/markdown' });
      const { url } = await exportFiles.createDownloadUrl(file, { filename: 'notes-export.md', expiresIn: 3600 });
      // Local storage URLs are root-relative; deployed ones are absolute S3 URLs.
      const link = url.startsWith('/') && origin ? `${origin}${url}` : url;
      await mailer.send({
        to: email,
        subject: 'Your notes export',
        text: `Your ${items.length} notes are ready: ${link}\n\nThe link works for an hour; the app shows a fresh one for ${EXPORT_MAX_AGE_DAYS} days.`,
      });
      await setExportState(sub, exportId, { state: 'sent', finishedAt: new Date().toISOString(), noteCount: items.length, file });
      log.info('export sent', { notes: items.length });
    } catch (error) {
      if (attempt === EXPORT_RETRIES + 1) await setExportState(sub, exportId, { state: 'failed', finishedAt: new Date().toISOString() });
      throw error;
    }
  },
});

new CronJob(scope, 'prune-exports', {
  schedule: 'cron(30 3 * * ? *)',
  handler: async ({ scheduledTime, log }) => {
    const cutoff = Date.parse(scheduledTime) - EXPORT_MAX_AGE_DAYS * 24 * 60 * 60 * 1000;
    let deleted = 0;
    let cursor: string | undefined;
    do {
      const page = await exportFiles.list({ limit: 1000, ...(cursor && { cursor }) });
      const old = page.items.filter((item) => Date.parse(item.lastModified) < cutoff);
      await Promise.all(old.map((item) => exportFiles.delete(item.key)));
      deleted += old.length;
      cursor = page.cursor;
    } while (cursor);
    log.info('pruned exports', { deleted });
  },
});

const ALLOWED_ORIGIN = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

export const noteExports = new ApiNamespace(scope, 'note-exports-api', (context) => ({
  /** Emails the caller a Markdown file of all their notes; while one is on its way, returns that one. */
  async request(): Promise<NoteExport> {
    const user = await auth.requireAuth(context);
    const sub = await ownerOf(context);
    if (!user.email) throw new BadRequestError('Your account has no email address to send the export to');
    const current = await exportRequests.get(sub);
    const pending = current && (current.value.state === 'queued' || current.value.state === 'writing');
    if (pending && Date.now() - Date.parse(current.value.requestedAt) < STUCK_AFTER_MS) return current.value;
    const request: StoredExport = { id: newNoteId(), state: 'queued', requestedAt: new Date().toISOString() };
    try {
      await exportRequests.put(sub, request, current ? { ifVersion: current.version } : { ifNotExists: true });
    } catch (error) {
      // A second click raced this one: report the request that won.
      if (error instanceof ConflictError) return (await exportRequests.get(sub))?.value ?? request;
      throw error;
    }
    const origin = context.headers.get('origin') ?? undefined;
    await exportJob.enqueue({ sub, email: user.email, exportId: request.id, ...(origin && ALLOWED_ORIGIN.test(origin) && { origin }) });
    return request;
  },

  /** The caller's latest export, with a fresh download link once it was sent. */
  async latest(): Promise<NoteExport | null> {
    const sub = await ownerOf(context);
    const current = await exportRequests.get(sub);
    if (!current) return null;
    const { file, ...shown } = current.value;
    if (!file || !(await exportFiles.head(file))) return shown;
    const { url } = await exportFiles.createDownloadUrl(file, { filename: 'notes-export.md', expiresIn: 900 });
    return { ...shown, downloadUrl: url };
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
