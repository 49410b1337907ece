/**
 * Signs and checks the local variant's upload policies and download URLs,
 * with an HMAC key kept in `<data dir>/file-bucket/<scope>-<id>.key`
 * (32 random bytes, mode 0600, created atomically on first use, like
 * AuthBasic's local session key). A URL outlives no restart of the key:
 * delete the file and every issued URL stops working.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ForbiddenError } from '../../core/errors.js';
import { writeFileAtomic } from '../../local/atomic-file.js';
import { localDataDir } from '../../local/data-dir.js';

export function localBucketKeyFile(scopeName: string, id: string): string {
  return path.join(localDataDir(), 'file-bucket', `${scopeName}-${id}.key`);
}

async function readKey(file: string): Promise<Buffer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  // A copy or restore may have widened it; only the owner should read a signing key.
  if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const key = Buffer.from(text.trim(), 'base64url');
  if (key.length < 32) throw new Error(`The FileBucket key file ${file} is damaged; delete it to make a new one (issued URLs stop working).`);
  return key;
}

export class LocalSigner {
  readonly #file: string;
  #key?: Promise<Buffer>;

  constructor(file: string) {
    this.#file = file;
  }

  async #load(): Promise<Buffer> {
    const existing = await readKey(this.#file);
    if (existing) return existing;
    await writeFileAtomic(this.#file, `${randomBytes(32).toString('base64url')}\n`);
    // Read back: a racing process's rename may have landed last, and all must agree.
    const written = await readKey(this.#file);
    if (!written) throw new Error(`The FileBucket key file ${this.#file} vanished right after it was written.`);
    return written;
  }

  #secret(): Promise<Buffer> {
    this.#key ??= this.#load().catch((error: unknown) => {
      this.#key = undefined;
      throw error;
    });
    return this.#key;
  }

  async sign(purpose: string, parts: readonly string[]): Promise<string> {
    // Length-prefixed parts: no two different part lists give the same message.
    const message = [purpose, ...parts].map((part) => `${Buffer.byteLength(part)}:${part}`).join('');
    return createHmac('sha256', await this.#secret()).update(message).digest('base64url');
  }

  /** Throws 403 unless `signature` is ours for these parts. */
  async verify(purpose: string, parts: readonly string[], signature: string | null | undefined): Promise<void> {
    const expected = Buffer.from(await this.sign(purpose, parts));
    const given = Buffer.from(signature ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ForbiddenError('Invalid or altered signature');
  }
}
