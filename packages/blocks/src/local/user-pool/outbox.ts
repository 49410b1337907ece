/**
 * The one place the local pool delivers its codes: every email or SMS the
 * cloud pool would send (sign-up, password reset, attribute verification,
 * MFA and passwordless sign-in codes) becomes one JSON file under
 * `<dataDir>/user-pool/outbox/`, beside the pool's other files, plus one
 * terminal line. A local console and tests read it back with
 * `readUserPoolOutbox` (or `pool.outbox()`); the live code is also on the
 * user's record, which is what `lastCode` and the `/_local/codes` route read.
 *
 * Files are written after the response is decided and not awaited by it, so
 * a real account and a name with no account (which gets no message) answer
 * in the same time; `pool.outbox()` waits for writes still in flight.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isAtomicTempFile, writeFileAtomic } from '../atomic-file.js';
import { readDirIfExists, readTextIfExists } from '../if-exists.js';
import { isJsonObject, safeJsonParse } from '../../core/safe-json.js';
import type { CodeKind } from './records.js';

export const OUTBOX_FORMAT = 'blocks-user-pool-message/1';
const OUTBOX_DIR = 'outbox';

export type DeliveryMedium = 'EMAIL' | 'SMS';

/** One message the pool "sent" (`format` changes if the shape ever does). */
export interface OutboxMessage {
  readonly format: typeof OUTBOX_FORMAT;
  /** The file's name without `.json`; sorts in sending order. */
  readonly messageId: string;
  /** ISO 8601. */
  readonly sentAt: string;
  readonly medium: DeliveryMedium;
  /** The email address or the E.164 phone number. */
  readonly to: string;
  readonly kind: CodeKind;
  readonly code: string;
  /** The text the developer would have received. */
  readonly text: string;
}

export interface ReadUserPoolOutboxOptions {
  /** Only messages to this address or number (emails case-insensitive). */
  readonly to?: string;
  readonly medium?: DeliveryMedium;
}

const KIND_TEXT: Record<CodeKind, string> = {
  signUp: 'Your confirmation code is',
  forgotPassword: 'Your password reset code is',
  verifyEmail: 'Your verification code is',
  verifyPhone: 'Your verification code is',
  signIn: 'Your sign-in code is',
};

export function outboxDir(poolRoot: string): string {
  return path.join(poolRoot, OUTBOX_DIR);
}

let sent = 0;

export function newOutboxMessage(input: { medium: DeliveryMedium; to: string; kind: CodeKind; code: string }, now: Date): OutboxMessage {
  // Time, then this process's send count, so names sort in sending order (also under a test's frozen
  // clock); the random part keeps sends of two processes apart.
  sent += 1;
  const messageId = `${now.toISOString().replace(/[:.]/g, '-')}-${String(sent).padStart(8, '0')}-${randomBytes(4).toString('hex')}`;
  return { format: OUTBOX_FORMAT, messageId, sentAt: now.toISOString(), ...input, text: `${KIND_TEXT[input.kind]} ${input.code}` };
}

export async function writeOutboxMessage(poolRoot: string, message: OutboxMessage): Promise<string> {
  const file = path.join(outboxDir(poolRoot), `${message.messageId}.json`);
  await writeFileAtomic(file, `${JSON.stringify(message, null, 2)}\n`);
  return file;
}

function isOutboxMessage(value: unknown): value is OutboxMessage {
  if (!isJsonObject(value) || value.format !== OUTBOX_FORMAT) return false;
  const { messageId, sentAt, medium, to, kind, code } = value;
  return (
    typeof messageId === 'string' &&
    typeof sentAt === 'string' &&
    (medium === 'EMAIL' || medium === 'SMS') &&
    typeof to === 'string' &&
    typeof kind === 'string' &&
    typeof code === 'string'
  );
}

/**
 * Every message in the pool's outbox under `dataDir` (the same data dir the
 * pool was given), oldest first. Files that are not messages are skipped.
 */
export async function readUserPoolOutbox(dataDir: string, options: ReadUserPoolOutboxOptions = {}): Promise<OutboxMessage[]> {
  const dir = outboxDir(path.join(dataDir, 'user-pool'));
  const wanted = options.to?.toLowerCase();
  const found: OutboxMessage[] = [];
  for (const entry of await readDirIfExists(dir)) {
    if (!entry.isFile() || !entry.name.endsWith('.json') || isAtomicTempFile(entry.name)) continue;
    const text = await readTextIfExists(path.join(dir, entry.name));
    const value = text === undefined ? undefined : safeJsonParse(text);
    if (!isOutboxMessage(value)) continue;
    if (wanted !== undefined && value.to.toLowerCase() !== wanted) continue;
    if (options.medium !== undefined && value.medium !== options.medium) continue;
    found.push(value);
  }
  return found.sort((a, b) => a.sentAt.localeCompare(b.sentAt) || a.messageId.localeCompare(b.messageId));
}
