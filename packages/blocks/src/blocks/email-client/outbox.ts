/**
 * The local outbox: where the local EmailClient "sends" mail, so sign-up
 * codes and notifications can be read without an email provider. One JSON
 * file per message under `<data dir>/email-outbox/<scope>/<id>/`, written
 * atomically, in the `OutboxEmail` shape below, which the planned local
 * console and tests read back with `readEmailOutbox`.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';
import { isAtomicTempFile, writeFileAtomic } from '../../local/atomic-file.js';
import { localDataDir } from '../../local/data-dir.js';
import { readDirIfExists } from '../../local/if-exists.js';
import type { EmailTransport } from './email-client.js';
import { addressList, type SentEmail, type ValidatedEmail } from './message.js';

const OUTBOX_FORMAT = 'blocks-email/1';
const OUTBOX_DIR = 'email-outbox';

/** One file of the local outbox (`format` changes if the shape ever does): the validated message and where it came from. */
export interface OutboxEmail extends ValidatedEmail {
  readonly format: typeof OUTBOX_FORMAT;
  /** The file's name without `.json`; also what `send` returned. */
  readonly messageId: string;
  /** ISO 8601. */
  readonly sentAt: string;
  /** The sending EmailClient: `<scope>/<id>`. */
  readonly block: string;
}

/** A message read back, with the file it came from. */
export interface OutboxEntry extends OutboxEmail {
  readonly file: string;
}

export interface ReadEmailOutboxOptions {
  /** The data directory; default `localDataDir()` (`.blocks-data/` or BLOCKS_DATA_DIR). */
  readonly dataDir?: string;
  /** Only messages of this EmailClient (`scope`, or `scope` and `id`). */
  readonly scope?: string;
  readonly id?: string;
  /** Only messages with this recipient (case-insensitive). */
  readonly to?: string;
}

/** Delivers to the outbox and prints one line in the dev server's terminal. */
export class LocalOutbox implements EmailTransport {
  readonly #block: string;
  readonly #dir: () => string;

  constructor(scope: string, id: string, dataDir: () => string = localDataDir) {
    this.#block = `${scope}/${id}`;
    // Resolved per send, so BLOCKS_DATA_DIR set after the app loaded still applies.
    this.#dir = () => path.join(dataDir(), OUTBOX_DIR, scope, id);
  }

  async send(email: ValidatedEmail): Promise<SentEmail> {
    const sentAt = new Date();
    // Time first, so names sort in sending order; the random part keeps same-millisecond sends apart.
    const messageId = `${sentAt.toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`;
    const record: OutboxEmail = { format: OUTBOX_FORMAT, messageId, sentAt: sentAt.toISOString(), block: this.#block, ...email };
    const file = path.join(this.#dir(), `${messageId}.json`);
    await writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
    console.info(`[blocks] email to ${addressList(email.to)}: ${JSON.stringify(email.subject)} (outbox: ${displayPath(file)})`);
    return { messageId };
  }
}

/** Relative to the working directory when inside it: `.blocks-data/email-outbox/...`. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

async function entries(dir: string): Promise<string[]> {
  return (await readDirIfExists(dir)).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

const SEGMENT = /^[A-Za-z][A-Za-z0-9_-]{0,47}$/;

function isOutboxEmail(value: unknown): value is OutboxEmail {
  if (!isJsonObject(value) || value.format !== OUTBOX_FORMAT) return false;
  return typeof value.messageId === 'string' && typeof value.sentAt === 'string' && typeof value.subject === 'string' && Array.isArray(value.to);
}

/**
 * Every message in the local outbox, oldest first (same-millisecond sends in
 * no particular order). Files that are not outbox messages are skipped.
 */
export async function readEmailOutbox(options: ReadEmailOutboxOptions = {}): Promise<OutboxEntry[]> {
  // A console may pass these from a query string: they must stay single path segments.
  for (const name of [options.scope, options.id]) {
    if (name !== undefined && !SEGMENT.test(name)) throw new TypeError(`readEmailOutbox: ${JSON.stringify(name)} is not a scope name or Block id.`);
  }
  const root = path.join(options.dataDir ?? localDataDir(), OUTBOX_DIR);
  const scopes = options.scope !== undefined ? [options.scope] : await entries(root);
  const dirs = (
    await Promise.all(
      scopes.map(async (scope) => (options.id !== undefined ? [options.id] : await entries(path.join(root, scope))).map((id) => path.join(root, scope, id))),
    )
  ).flat();
  const to = options.to?.toLowerCase();
  const found: OutboxEntry[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const name of names) {
      if (!name.endsWith('.json') || isAtomicTempFile(name)) continue;
      const file = path.join(dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // deleted while listing
        throw error;
      }
      const value = safeJsonParse(text);
      if (!isOutboxEmail(value)) continue;
      if (to !== undefined && !value.to.some((mailbox) => mailbox.address.toLowerCase() === to)) continue;
      found.push({ ...value, file });
    }
  }
  return found.sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.messageId.localeCompare(b.messageId));
}
