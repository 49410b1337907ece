import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from 'blocks-kit/testing';
import { chromium, type Browser, type Page } from 'playwright-core';

export const projectRoot = path.resolve(import.meta.dirname, '../..');
export const screenshotDir = path.join(projectRoot, 'test-results', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface DevServer {
  readonly url: string;
  readonly dataDir: string;
  /** The newest unused confirmation or reset code the local pool holds for `email`. */
  code(email: string): Promise<string>;
  /** What the server printed to its terminal so far. */
  output(): string;
  /** `npm run blocks:user -- ...` against this server's data. */
  user(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${args.join(' ')} exited ${code}: ${output}`))));
  });
}

/**
 * `npm run dev`, as a developer runs it, on a free port with its own data
 * directory; `config` picks another Vite config (`npm run dev:auth-basic`),
 * `env` adds variables (e.g. BLOCKS_AUTH_PROJECT for a fixture auth definition).
 */
export async function startDevServer(options: { config?: string; env?: NodeJS.ProcessEnv } = {}): Promise<DevServer> {
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-e2e-'));
  const env = { ...process.env, ...options.env, BLOCKS_DATA_DIR: dataDir, BLOCKS_MODE: 'local', BROWSER: 'none' };
  const child: ChildProcess = spawn(
    process.execPath,
    [path.join(projectRoot, 'node_modules/vite/bin/vite.js'), ...(options.config ? ['--config', options.config] : []), '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  // Generous: a first start may synthesize the auth definition (cached afterwards).
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite exited early:\n${log}`);
    try {
      if ((await fetch(url)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`vite did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    dataDir,
    async code(email) {
      const response = await fetch(`${url}/local-cognito/_local/codes?email=${encodeURIComponent(email)}`);
      const body = (await response.json()) as { code?: string };
      if (!body.code) throw new Error(`no code for ${email}: ${JSON.stringify(body)}`);
      return body.code;
    },
    output: () => log,
    user: (...args) =>
      run(process.execPath, ['--import', 'tsx', 'packages/blocks/src/local/user-pool/cli.ts', ...args], env),
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run .ci/run (it installs Debian's chromium).`);
  await mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Console errors of a page, minus the browser's own line for an expected 4xx answer. */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export const unexpectedErrors = (errors: string[]): string[] =>
  errors.filter((text) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(text));

export function screenshot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: path.join(screenshotDir, `${name}.png`), fullPage: true });
}
