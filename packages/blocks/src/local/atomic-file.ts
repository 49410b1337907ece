import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Directories already known to exist, so hot paths skip the mkdir call. */
const knownDirs = new Set<string>();

async function ensureDir(dir: string): Promise<void> {
  if (knownDirs.has(dir)) return;
  await mkdir(dir, { recursive: true });
  knownDirs.add(dir);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` with `contents` so that after a crash (even `kill -9` or
 * power loss) the file holds either the old or the new contents, never a
 * mix: write a temp file beside it, fsync it, rename over, fsync the dir.
 * Contents may stream in (an upload): if the stream throws (a size limit
 * passed), the temp file is removed and `file` is left as it was.
 */
export async function writeFileAtomic(file: string, contents: string | Uint8Array | AsyncIterable<Uint8Array>): Promise<void> {
  const dir = path.dirname(file);
  await ensureDir(dir);
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'w', 0o600);
  try {
    try {
      if (typeof contents === 'string' || contents instanceof Uint8Array) await handle.writeFile(contents);
      else for await (const chunk of contents) await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDir(dir);
}

/** Deletes `file` durably; resolves to whether it existed. */
export async function removeFileDurably(file: string): Promise<boolean> {
  try {
    await rm(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await fsyncDir(path.dirname(file));
  return true;
}

/** Temp files left by a crash between write and rename; safe to delete. */
export function isAtomicTempFile(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.tmp');
}
