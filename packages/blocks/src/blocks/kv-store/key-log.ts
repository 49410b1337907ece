/**
 * The local store's key log: `<dir>/keys.log`, so a store with 100k keys
 * opens by reading one file and listing its shard folders, instead of
 * opening every record to learn which key it holds (record file names are
 * hashes, see local-store.ts).
 *
 * The record files stay the truth; the log is a hint that is checked
 * against them on open:
 * - a line per key that was created, deleted, or whose expiry changed:
 *   `+<sha256 hex> <expiresAt or -> <JSON key>` or `-<sha256 hex> <JSON key>`;
 *   the last line for a key wins, a torn last line (crash mid-append) is
 *   skipped;
 * - appended without fsync after the record write is durable: a line lost
 *   in a crash only means the open below reads that one record file;
 * - on open, a key counts only if its record file exists, and a record
 *   file the log does not name (a lost line, or a store written before the
 *   log existed: the migration) is read, as every file was before;
 * - an expiry in the log is only used after reading that record (a lost
 *   line could leave a stale one), so TTL keys cost one read each on open;
 * - rewritten compactly (atomically) when it has grown well beyond the
 *   live keys or when records had to be read.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../local/atomic-file.js';
import { readTextIfExistsSync } from '../../local/if-exists.js';

export const KEY_LOG_NAME = 'keys.log';

/** What the log says about one key. */
export interface LoggedKey {
  readonly key: string;
  readonly hash: string;
  /** Present when the key was last written with a TTL (a hint, see module comment). */
  readonly expiresAt?: number;
}

const HASH_LENGTH = 64;

/** One parsed line, or undefined for a line that is not one (torn by a crash). */
function parseLine(line: string): { live: boolean; entry: LoggedKey } | undefined {
  const live = line[0] === '+';
  if (!live && line[0] !== '-') return undefined;
  // The hash is not checked character by character: one that is not a record file's name matches no file on open.
  const hash = line.slice(1, HASH_LENGTH + 1);
  if (hash.length !== HASH_LENGTH || line[HASH_LENGTH + 1] !== ' ') return undefined;
  let rest = line.slice(HASH_LENGTH + 2);
  let expiresAt: number | undefined;
  if (live) {
    const space = rest.indexOf(' ');
    if (space < 0) return undefined;
    const expiry = rest.slice(0, space);
    rest = rest.slice(space + 1);
    if (expiry !== '-') {
      expiresAt = Number(expiry);
      if (!Number.isFinite(expiresAt)) return undefined;
    }
  }
  let key: unknown;
  try {
    key = JSON.parse(rest);
  } catch {
    return undefined;
  }
  if (typeof key !== 'string') return undefined;
  return { live, entry: expiresAt === undefined ? { key, hash } : { key, hash, expiresAt } };
}

function formatLine(live: boolean, entry: LoggedKey): string {
  if (!live) return `-${entry.hash} ${JSON.stringify(entry.key)}\n`;
  return `+${entry.hash} ${entry.expiresAt ?? '-'} ${JSON.stringify(entry.key)}\n`;
}

export interface LogContents {
  /** Keys the log last saw written, by hash. */
  readonly keys: Map<string, LoggedKey>;
  /** Lines read, to decide when to compact. */
  readonly lines: number;
  /** The last line was cut short (a crash mid-append): rewrite before appending again. */
  readonly torn: boolean;
}

/** Reads `<dir>/keys.log`; an absent log is an empty one. */
export function readKeyLog(dir: string): LogContents {
  const text = readTextIfExistsSync(path.join(dir, KEY_LOG_NAME)) ?? '';
  const keys = new Map<string, LoggedKey>();
  let lines = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    lines++;
    const parsed = parseLine(line);
    if (parsed === undefined) continue;
    if (parsed.live) keys.set(parsed.entry.hash, parsed.entry);
    else keys.delete(parsed.entry.hash);
  }
  return { keys, lines, torn: text !== '' && !text.endsWith('\n') };
}

/** Records a key written (with its expiry, if any) or deleted. Not fsynced: see the module comment. */
export function appendKeyLog(dir: string, live: boolean, entry: LoggedKey): void {
  appendFileSync(path.join(dir, KEY_LOG_NAME), formatLine(live, entry));
}

/** Replaces the log with one line per live key. */
export async function rewriteKeyLog(dir: string, entries: Iterable<LoggedKey>): Promise<void> {
  let text = '';
  for (const entry of entries) text += formatLine(true, entry);
  await writeFileAtomic(path.join(dir, KEY_LOG_NAME), text);
}

