/**
 * The write protocol behind "a crash never loses an acknowledged write":
 * temp file, fsync, rename, fsync of the directory. A SIGKILL test cannot
 * see a missing fsync (the page cache survives a killed process, only power
 * loss does not), so the order of the file system calls is checked here.
 */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAtomicTempFile, removeFileDurably, writeFileAtomic } from './atomic-file.js';

const calls = vi.hoisted(() => ({ log: [] as string[], names: new Map<string, string>() }));

// Every call the module makes, with paths replaced by the role they play.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const role = (file: unknown): string => {
    const text = String(file);
    return calls.names.get(text) ?? (isAtomicTempFile(path.basename(text)) ? 'temp' : text);
  };
  return {
    ...fs,
    async open(file: string, flags?: string, mode?: number) {
      const handle = await fs.open(file, flags, mode);
      calls.log.push(`open ${role(file)} ${flags ?? 'r'}`);
      // Record the handle's methods too: writeFile, sync and close are where durability happens.
      return new Proxy(handle, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.log.push(`${String(property)} ${role(file)}`);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    },
    async rename(from: string, to: string) {
      calls.log.push(`rename ${role(from)} -> ${role(to)}`);
      return fs.rename(from, to);
    },
    async rm(file: string, options?: Parameters<typeof fs.rm>[1]) {
      calls.log.push(`rm ${role(file)}`);
      return fs.rm(file, options);
    },
  };
});

const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  calls.log.length = 0;
});

async function fixture(): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'atomic-file-'));
  dirs.push(dir);
  const file = path.join(dir, 'record.json');
  calls.names.set(dir, 'dir');
  calls.names.set(file, 'file');
  return { dir, file };
}

/** `expected` appears in `log` in this order, possibly with other calls between. */
function expectInOrder(log: readonly string[], expected: readonly string[]): void {
  let at = 0;
  for (const entry of log) if (entry === expected[at]) at++;
  expect(at, `expected, in order:\n  ${expected.join('\n  ')}\ngot:\n  ${log.join('\n  ')}`).toBe(expected.length);
}

describe('writeFileAtomic', () => {
  it('writes a private temp file beside the target, fsyncs it, renames it over the target, then fsyncs the directory', async () => {
    const { dir, file } = await fixture();
    await writeFileAtomic(file, 'old');
    calls.log.length = 0;
    await writeFileAtomic(file, 'new');
    expectInOrder(calls.log, [
      'open temp w',
      'writeFile temp',
      'sync temp',
      'close temp',
      'rename temp -> file',
      'open dir r',
      'sync dir',
      'close dir',
    ]);
    // The target itself is never opened for writing, so it is never seen half written.
    expect(calls.log.filter((entry) => entry.startsWith('open file'))).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['record.json']);
  });
});

describe('removeFileDurably', () => {
  it('removes the file, then fsyncs the directory', async () => {
    const { file } = await fixture();
    await writeFileAtomic(file, 'x');
    calls.log.length = 0;
    expect(await removeFileDurably(file)).toBe(true);
    expectInOrder(calls.log, ['rm file', 'open dir r', 'sync dir', 'close dir']);
    expect(await removeFileDurably(file)).toBe(false);
  });
});
