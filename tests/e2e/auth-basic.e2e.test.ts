/**
 * The AuthBasic example page (`npm run dev:auth-basic`) in Chromium, fully
 * local: sign up with the code from the email outbox, a session that
 * survives a reload, sign-out, password reset, and the lockout message
 * after repeated wrong passwords (AuthBasic's 429 with Retry-After).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestCode } from '../../aws-blocks/examples/auth-basic-codes';
import { collectConsoleErrors, launchBrowser, screenshot, startDevServer, unexpectedErrors, type DevServer } from './harness';

const PASSWORD = 'correct horse 42';
const STEP_TIMEOUT = 20_000;
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer({ config: 'vite.auth-basic.config.ts' }), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT);
  const errors = collectConsoleErrors(page);
  await page.goto(server.url);
  return { page, errors };
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true });
const code = (email: string, subject: RegExp) => latestCode(email, { dataDir: server.dataDir, subject });

/** Clicks a submit button and waits for the API's answer, so the next assertion sees its effect. */
async function submit(page: Page, button: string): Promise<{ status: number; retryAfter: string | null }> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/aws-blocks/api') && r.request().method() === 'POST'),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  return { status: response.status(), retryAfter: await response.headerValue('retry-after') };
}

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  return submit(page, 'Sign in');
}

async function signUpViaApi(email: string): Promise<void> {
  const call = async (params: Record<string, string>) => {
    const response = await fetch(`${server.url}/aws-blocks/api`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'authApi.setAuthState', params }),
    });
    if (!response.ok) throw new Error(`${params.action}: ${response.status} ${await response.text()}`);
  };
  await call({ action: 'signUp', username: email, password: PASSWORD });
  await call({ action: 'confirmSignUp', username: email, code: await code(email, /sign-up/) });
}

describe('the AuthBasic example in a real browser', () => {
  it('signs up with the emailed code, keeps the session over a reload, and signs out', async () => {
    const email = `ada-${Date.now()}@example.com`;
    const { page, errors } = await newPage();
    await heading(page, 'Sign in').waitFor();
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await screenshot(page, 'auth-basic-01-sign-up');
    expect((await submit(page, 'Create account')).status).toBe(200);

    await heading(page, 'Confirm your email').waitFor();
    await expect.poll(() => page.getByRole('status').innerText()).toBe(`We emailed a code to ${email}.`);
    await page.getByLabel('Code').fill(await code(email, /sign-up/));
    await screenshot(page, 'auth-basic-02-confirm');
    // The developer sees the email in the dev server's terminal, with the file that holds it.
    await expect.poll(() => server.output()).toContain(`[blocks] email to ${email}: "Your sign-up code" (outbox: `);
    await submit(page, 'Confirm');

    // Confirming with the password signs in.
    await heading(page, 'Signed in').waitFor();
    await expect.poll(() => page.locator('.profile').innerText()).toContain(email);
    await screenshot(page, 'auth-basic-03-signed-in');

    await page.reload();
    await heading(page, 'Signed in').waitFor();
    await expect.poll(() => page.locator('.profile').innerText()).toContain(email);

    await submit(page, 'Sign out');
    await heading(page, 'Sign in').waitFor();
    await page.reload();
    await heading(page, 'Sign in').waitFor();
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('resets a forgotten password with the emailed code', async () => {
    const email = `forgetful-${Date.now()}@example.com`;
    const newPassword = 'battery staple 43';
    await signUpViaApi(email);
    const { page, errors } = await newPage();
    await heading(page, 'Sign in').waitFor();
    await page.getByRole('button', { name: 'Forgot password?' }).click();
    await heading(page, 'Reset your password').waitFor();
    await page.getByLabel('Email').fill(email);
    await submit(page, 'Send code');

    await heading(page, 'Choose a new password').waitFor();
    await page.getByLabel('Code').fill(await code(email, /password reset/));
    await page.getByLabel('New password', { exact: true }).fill(newPassword);
    await submit(page, 'Set new password');
    await expect.poll(() => page.getByRole('status').innerText()).toBe('Password changed. Sign in with the new one.');

    expect((await signIn(page, email, PASSWORD)).status).toBe(401);
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Incorrect email or password.');
    expect((await signIn(page, email, newPassword)).status).toBe(200);
    await heading(page, 'Signed in').waitFor();
    await submit(page, 'Sign out');
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('shows the lockout message after repeated wrong passwords', async () => {
    const email = `locked-${Date.now()}@example.com`;
    await signUpViaApi(email);
    const { page, errors } = await newPage();
    await heading(page, 'Sign in').waitFor();

    // AuthBasic's default: 5 failures per account in 15 minutes lock it.
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await signIn(page, email, `wrong password ${attempt}`)).status).toBe(401);
      await expect.poll(() => page.getByRole('alert').innerText()).toBe('Incorrect email or password.');
    }
    // Locked: even the right password is refused, with the wait spelled out.
    const locked = await signIn(page, email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Too many attempts; try again in 15 minutes.');
    await screenshot(page, 'auth-basic-04-locked-out');
    expect(await heading(page, 'Signed in').count()).toBe(0);
    expect(unexpectedErrors(errors)).toEqual([]);
  });
});
