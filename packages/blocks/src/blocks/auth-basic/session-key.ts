/**
 * The local session key: 32 random bytes in
 * `<data dir>/auth-basic/<scope>-<id>.key`, created on first use with mode
 * 0600 (atomically, so a crash never leaves half a key). It lives with the
 * rest of the gitignored local data, so it never reaches the repository;
 * deleting it signs every local user out.
 */
import { randomBytes } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Scope } from '../../core/scope.js';
import { writeFileAtomic } from '../../local/atomic-file.js';
import { readTextIfExists } from '../../local/if-exists.js';
import { localDataDir } from '../../local/data-dir.js';
import { MIN_SECRET_BYTES } from './keys.js';
import type { SessionKeySource } from './runtime.js';

export function localKeyFile(scopeName: string, id: string): string {
  return path.join(localDataDir(), 'auth-basic', `${scopeName}-${id}.key`);
}

function decode(text: string, file: string): Uint8Array {
  const secret = Buffer.from(text.trim(), 'base64url');
  if (secret.length < MIN_SECRET_BYTES) {
    // Regenerating would silently sign everyone out; a damaged file deserves a look.
    throw new Error(`The AuthBasic key file ${file} is damaged; delete it to generate a new key (this signs everyone out).`);
  }
  return secret;
}

async function readKey(file: string): Promise<Uint8Array | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  // A copy or restore may have widened it; only the owner should read a signing key.
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  return decode(text, file);
}

async function loadOrCreate(file: string): Promise<Uint8Array> {
  const existing = await readKey(file);
  if (existing !== undefined) return existing;
  await writeFileAtomic(file, `${randomBytes(32).toString('base64url')}\n`);
  // Read back rather than trust our bytes: if another process raced us, its
  // rename may have landed last, and everyone must use the same key.
  const written = await readKey(file);
  if (written === undefined) throw new Error(`The AuthBasic key file ${file} vanished right after it was written.`);
  return written;
}

export function localSessionKey(scope: Scope, id: string): SessionKeySource {
  // The path is read on first use, not at import: tests set BLOCKS_DATA_DIR late.
  return () => loadOrCreate(localKeyFile(scope.name, id));
}
