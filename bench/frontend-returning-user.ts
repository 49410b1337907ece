/**
 * The frontend as a returning, signed-in user meets it, in Chromium
 * (playwright-core + /usr/bin/chromium, as the e2e tests run it):
 *
 * - which built JS and CSS files the browser fetches on that first load
 *   (summed as gzip level 9, the same measure as the whole-app figure), and
 * - the time from navigation start to the first note of the list in the DOM.
 *
 * Against the local server: `npm run dev` (local mode) holds the API, the
 * data and the user pool; the page is the production build of the app,
 * built against that server's own outputs (relative URLs) and served by a
 * small static server here that forwards `/aws-blocks/` and
 * `/local-cognito` to it. The dev server's unbundled modules would say
 * nothing about what a deployed page costs, the production bundle does.
 *
 * Each sample is a fresh browser context (empty cache) holding only the
 * session (localStorage) of a user who signed in once through the
 * Authenticator. An init script records when the first note appears and
 * whether the Authenticator ever rendered: it must not (no flash of the
 * sign-in form for a signed-in user).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from '../tests/e2e/harness.ts';
import { gzipSize, median, round } from './helpers.ts';

const PASSWORD = 'Bench-passw0rd!';
/** Notes the user already has, so "visible" means a filled list, not the empty state. */
const SEEDED_NOTES = 3;

export interface ReturningUserRun {
  /** Navigation start → first note in the DOM, from the page's own clock. */
  readonly notesVisibleMs: number;
  /** The built files the page fetched, by name. */
  readonly assets: readonly string[];
  readonly gzipBytes: number;
  readonly authenticatorRendered: boolean;
}

export interface ReturningUserResult {
  readonly runs: readonly ReturningUserRun[];
  readonly medianNotesVisibleMs: number;
  /** The same files every run (a fresh cache each time); the largest set if they ever differ. */
  readonly gzipBytes: number;
  readonly assets: readonly string[];
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** The dev server's local outputs, as its `virtual:amplify-outputs` module serves them. */
export async function localOutputs(devUrl: string): Promise<unknown> {
  const text = await (await fetch(`${devUrl}/@id/__x00__virtual:amplify-outputs`)).text();
  const match = /^export default (.*);$/m.exec(text);
  if (!match) throw new Error(`unexpected virtual:amplify-outputs module:\n${text.slice(0, 300)}`);
  return JSON.parse(match[1]!);
}

/** Serves `distDir`; `/aws-blocks/` and `/local-cognito` go to the dev server, as if on one origin. */
async function startStaticServer(distDir: string, devUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const dev = new URL(devUrl);
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/aws-blocks/') || url.pathname.startsWith('/local-cognito')) {
      const upstream = http.request(
        { host: dev.hostname, port: dev.port, method: request.method, path: request.url, headers: { ...request.headers, host: dev.host, ...(request.headers.origin && { origin: dev.origin }) } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.once('error', (error) => response.destroy(error));
      request.pipe(upstream);
      return;
    }
    const file = path.join(distDir, path.normalize(url.pathname));
    const target = file.startsWith(distDir) && existsSync(file) && statSync(file).isFile() ? file : path.join(distDir, 'index.html');
    response.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(target)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(target).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Runs in the page before any of its scripts: stamps the first note and any
 * Authenticator. A string, not a function: tsx's name-keeping helper would
 * travel with a serialized function and be undefined in the page.
 */
const WATCH_PAGE = `(() => {
  const marks = { notesVisibleAt: -1, authenticatorRendered: false };
  window.__benchMarks = marks;
  new MutationObserver(() => {
    if (!marks.authenticatorRendered && document.querySelector('[data-amplify-authenticator]')) marks.authenticatorRendered = true;
    if (marks.notesVisibleAt < 0 && document.querySelector('ul[aria-label="Notes"] li')) marks.notesVisibleAt = performance.now();
  }).observe(document, { childList: true, subtree: true });
})();`;

async function signInOnce(browser: Browser, appUrl: string, email: string): Promise<Awaited<ReturnType<BrowserContext['storageState']>>> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(appUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'My notes' }).waitFor({ timeout: 30_000 });
    for (let i = 0; i < SEEDED_NOTES; i++) {
      await page.getByLabel('New note').fill(`bench note ${i}`);
      await page.getByRole('button', { name: 'Add note' }).click();
      await page.getByRole('list', { name: 'Notes' }).getByText(`bench note ${i}`).waitFor({ timeout: 30_000 });
    }
    return await context.storageState();
  } finally {
    await context.close();
  }
}

/**
 * `addUser(email, password)` creates a confirmed user in the dev server's
 * pool; `distDir` is the app built against the dev server's local outputs.
 */
export async function measureReturningUser(options: {
  readonly devUrl: string;
  readonly distDir: string;
  readonly runs: number;
  addUser(email: string, password: string): Promise<void>;
}): Promise<ReturningUserResult> {
  const site = await startStaticServer(options.distDir, options.devUrl);
  const browser = await launchBrowser();
  const gzipOf = new Map<string, number>();
  const sizeOf = async (name: string): Promise<number> => {
    if (!gzipOf.has(name)) gzipOf.set(name, gzipSize(await readFile(path.join(options.distDir, 'assets', name))));
    return gzipOf.get(name)!;
  };
  try {
    const email = `returning-${Date.now()}@example.com`;
    await options.addUser(email, PASSWORD);
    const session = await signInOnce(browser, site.url, email);

    const runs: ReturningUserRun[] = [];
    for (let i = 0; i < options.runs; i++) {
      const context = await browser.newContext({ storageState: session });
      try {
        await context.addInitScript(WATCH_PAGE);
        const page = await context.newPage();
        const assets = new Set<string>();
        page.on('request', (request) => {
          const { pathname } = new URL(request.url());
          if (/^\/assets\/[^/]+\.(js|css)$/.test(pathname)) assets.add(pathname.slice('/assets/'.length));
        });
        await page.goto(site.url);
        await page.locator('ul[aria-label="Notes"] li').first().waitFor({ timeout: 30_000 });
        const marks = await page.evaluate(() => (window as unknown as { __benchMarks: { notesVisibleAt: number; authenticatorRendered: boolean } }).__benchMarks);
        const names = [...assets].sort();
        let gzipBytes = 0;
        for (const name of names) gzipBytes += await sizeOf(name);
        runs.push({ notesVisibleMs: round(marks.notesVisibleAt, 0), assets: names, gzipBytes, authenticatorRendered: marks.authenticatorRendered });
      } finally {
        await context.close();
      }
    }
    if (runs.some((run) => run.authenticatorRendered)) throw new Error('the Authenticator rendered for a signed-in user (a flash of the sign-in form)');
    const largest = runs.reduce((a, b) => (b.gzipBytes > a.gzipBytes ? b : a));
    return {
      runs,
      medianNotesVisibleMs: median(runs.map((run) => run.notesVisibleMs)),
      gzipBytes: largest.gzipBytes,
      assets: largest.assets,
    };
  } finally {
    await browser.close();
    await site.close();
  }
}
