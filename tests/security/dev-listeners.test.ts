/**
 * The dev commands listen on loopback only. Each is started as a developer
 * starts it (`npm run dev`, `npm run blocks:dev`, no `--host`), and every TCP
 * socket its process tree listens on is read from /proc: a socket on another
 * address (Vite's WebSocket server once sat on *:24678 although HMR was off)
 * is reachable from the network with the local API, user pool and codes behind it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { freePort } from 'blocks-kit/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { isLoopbackAddress } from '../../packages/blocks/src/core/loopback.js';
import { projectRoot } from './helpers.js';
import { listeningSockets, type ListeningSocket } from './listening-sockets.js';

interface Started {
  readonly child: ChildProcess;
  readonly dataDir: string;
  log: string;
}

const started: Started[] = [];

/** `npm run <script> -- <args>` in its own process group, resolved once its log matches `ready`. */
async function startScript(script: string, args: string[], ready: RegExp): Promise<Started> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-listeners-'));
  const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
    cwd: projectRoot,
    // NO_COLOR: with CI set, Vite colours its banner, and the ready line would not match.
    env: { ...process.env, BLOCKS_DATA_DIR: dataDir, BLOCKS_MODE: 'local', BROWSER: 'none', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const run: Started = { child, dataDir, log: '' };
  started.push(run);
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      // Escape codes stripped all the same, in case a tool ignores NO_COLOR.
      run.log += stripVTControlCharacters(chunk.toString());
      if (ready.test(run.log)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm run ${script} exited ${code}:\n${run.log}`)));
  });
  return run;
}

afterEach(async () => {
  for (const run of started.splice(0)) {
    const exited = new Promise((resolve) => (run.child.exitCode !== null ? resolve(null) : run.child.once('exit', resolve)));
    // The whole group: npm, its shell, tsx and the server it spawns.
    if (run.child.pid !== undefined && run.child.exitCode === null) process.kill(-run.child.pid, 'SIGTERM');
    await exited;
    await rm(run.dataDir, { recursive: true, force: true });
  }
});

function describeSockets(sockets: readonly ListeningSocket[]): string {
  return sockets.map((s) => `${s.address}:${s.port} (pid ${s.pid})`).join(', ') || 'none';
}

describe.runIf(process.platform === 'linux')('what the dev commands listen on, without --host', () => {
  it('npm run dev: loopback only', async () => {
    const port = await freePort();
    const run = await startScript('dev', ['--port', String(port), '--strictPort'], /Local:\s+http/);
    const sockets = await listeningSockets(run.child.pid!);
    const seen = describeSockets(sockets);
    expect(sockets.map((s) => s.port), seen).toContain(port);
    expect(sockets.filter((s) => !isLoopbackAddress(s.address)), seen).toEqual([]);
  }, 120_000);

  it('npm run blocks:dev: the API port on loopback and nothing else (no WebSocket server)', async () => {
    const port = await freePort();
    const run = await startScript('blocks:dev', ['--port', String(port)], /Blocks API \(local\): POST http/);
    const sockets = await listeningSockets(run.child.pid!);
    const seen = describeSockets(sockets);
    expect(sockets.filter((s) => !isLoopbackAddress(s.address)), seen).toEqual([]);
    expect(sockets.map((s) => s.port), seen).toEqual([port]);
    expect(run.log).not.toMatch(/already in use/);
  }, 120_000);
});
