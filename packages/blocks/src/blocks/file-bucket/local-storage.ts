/**
 * The local FileBucket: objects as files under
 * `<data dir>/files/<scope>/<id>/`, served by the dev server at signed,
 * expiring URLs (local-routes.ts).
 *
 * Layout: each key hashes (sha256) to `<2 hex>/<hash>.json`, its metadata
 * `{ key, size, contentType, lastModified, etag, blob }`, and the bytes live
 * beside it in `<hash>.<random>.bin`. A key therefore never becomes a path
 * (any `..` or `/` in it is just hashed), and a write is crash-safe: the
 * bytes are written and fsynced under a fresh name first, then the metadata
 * file is replaced atomically (the commit point), then the old bytes go. A
 * crash leaves the old object or the new one, plus at most an orphan blob.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { BadRequestError, PayloadTooLargeError } from '../../core/errors.js';
import { isAtomicTempFile, removeFileDurably, writeFileAtomic } from '../../local/atomic-file.js';
import { readDirIfExists, readTextIfExists } from '../../local/if-exists.js';
import { KeyedLock } from '../../local/keyed-lock.js';
import { formatBytes } from './rules.js';
import { storedFile } from './storage.js';
import type { FileInfo, FileSummary, ListFilesResult, StoredFile } from './types.js';

interface Meta extends FileInfo {
  /** File name of the bytes, beside the metadata. */
  readonly blob: string;
}

const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const summary = ({ key, size, lastModified, etag }: FileSummary): FileSummary => ({ key, size, lastModified, etag });
const info = ({ key, size, lastModified, etag, contentType }: FileInfo): FileInfo => ({ key, size, lastModified, etag, contentType });

export class LocalObjects {
  readonly dir: string;
  readonly #locks = new KeyedLock();

  constructor(dir: string) {
    this.dir = dir;
  }

  #paths(key: string): { dir: string; meta: string; hash: string } {
    const hash = createHash('sha256').update(key, 'utf8').digest('hex');
    const dir = path.join(this.dir, hash.slice(0, 2));
    return { dir, meta: path.join(dir, `${hash}.json`), hash };
  }

  async #readMeta(file: string): Promise<Meta | undefined> {
    const text = await readTextIfExists(file);
    return text === undefined ? undefined : (JSON.parse(text) as Meta);
  }

  async head(key: string): Promise<FileInfo | undefined> {
    const meta = await this.#readMeta(this.#paths(key).meta);
    return meta && info(meta);
  }

  async get(key: string): Promise<StoredFile | undefined> {
    const found = await this.read(key);
    return found && storedFile(found.info, found.bytes);
  }

  /** The metadata and bytes, read under the key's lock so a concurrent replace cannot delete the blob mid-read. */
  async read(key: string): Promise<{ info: FileInfo; bytes: Uint8Array } | undefined> {
    const paths = this.#paths(key);
    return this.#locks.run(key, async () => {
      const meta = await this.#readMeta(paths.meta);
      if (!meta) return undefined;
      const bytes = await readFile(path.join(paths.dir, meta.blob));
      // A plain Uint8Array view, as the S3 variant returns: callers see the same type everywhere.
      return { info: info(meta), bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    });
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<FileInfo> {
    return this.#commit(key, contentType, async (file) => {
      await writeFileAtomic(file, bytes);
      return { size: bytes.byteLength, etag: createHash('md5').update(bytes).digest('hex') };
    });
  }

  /** Streams `body` to storage, refusing it (413) as soon as it passes `maxBytes`. */
  async putStream(key: string, body: AsyncIterable<Uint8Array>, contentType: string, maxBytes: number): Promise<FileInfo> {
    return this.#commit(key, contentType, async (file) => {
      const md5 = createHash('md5');
      let size = 0;
      // Counted as it arrives: past the limit the write stops and nothing replaces the old file.
      const counted = async function* (): AsyncIterable<Uint8Array> {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > maxBytes) throw new PayloadTooLargeError(`Files are limited to ${formatBytes(maxBytes)}`);
          md5.update(chunk);
          yield chunk;
        }
      };
      await writeFileAtomic(file, counted());
      return { size, etag: md5.digest('hex') };
    });
  }

  async #commit(key: string, contentType: string, write: (file: string) => Promise<{ size: number; etag: string }>): Promise<FileInfo> {
    const paths = this.#paths(key);
    await mkdir(paths.dir, { recursive: true });
    const blob = `${paths.hash}.${randomBytes(6).toString('hex')}.bin`;
    // The bytes are written outside the lock (an upload may be slow); only the swap is serialised.
    let written: { size: number; etag: string };
    try {
      written = await write(path.join(paths.dir, blob));
    } catch (error) {
      await rm(path.join(paths.dir, blob), { force: true });
      throw error;
    }
    return this.#locks.run(key, async () => {
      const previous = await this.#readMeta(paths.meta);
      const meta: Meta = { key, contentType, lastModified: new Date().toISOString(), ...written, blob };
      await writeFileAtomic(paths.meta, JSON.stringify(meta));
      if (previous && previous.blob !== blob) await removeFileDurably(path.join(paths.dir, previous.blob));
      return info(meta);
    });
  }

  async delete(key: string): Promise<void> {
    const paths = this.#paths(key);
    await this.#locks.run(key, async () => {
      const meta = await this.#readMeta(paths.meta);
      if (!meta) return;
      await removeFileDurably(paths.meta);
      await removeFileDurably(path.join(paths.dir, meta.blob));
    });
  }

  /**
   * Reads every metadata file: O(objects) per call, which a development data
   * set affords, and it keeps the layout free of an index to keep in step.
   */
  async list(options: { prefix: string; limit: number; cursor: string | undefined }): Promise<ListFilesResult> {
    let after: string | undefined;
    if (options.cursor !== undefined) {
      after = Buffer.from(options.cursor, 'base64url').toString('utf8');
      if (!after.startsWith(options.prefix)) throw new BadRequestError('Invalid cursor');
    }
    const keys: FileSummary[] = [];
    for (const dir of await readDirIfExists(this.dir)) {
      if (!dir.isDirectory()) continue;
      for (const file of await readDirIfExists(path.join(this.dir, dir.name))) {
        if (!file.name.endsWith('.json') || isAtomicTempFile(file.name)) continue;
        const meta = await this.#readMeta(path.join(this.dir, dir.name, file.name));
        if (!meta || !meta.key.startsWith(options.prefix)) continue;
        if (after !== undefined && compareKeys(meta.key, after) <= 0) continue;
        keys.push(summary(meta));
      }
    }
    keys.sort((a, b) => compareKeys(a.key, b.key));
    const items = keys.slice(0, options.limit);
    const more = keys.length > options.limit;
    return { items, ...(more && { cursor: Buffer.from(items.at(-1)!.key, 'utf8').toString('base64url') }) };
  }
}


