/**
 * The local Blocks console (/_blocks/) next to the app, in a real browser:
 * the code a sign-up is waiting for, the app's calls in the request log with
 * secrets redacted, a note edited in the console showing up in the app, and
 * a user deleted in the console signed out of the app on their next call,
 * and the app's export job in the Jobs tab and in the log.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectConsoleErrors, launchBrowser, screenshot, startDevServer, unexpectedErrors, type DevServer } from './harness';

const PASSWORD = 'Console-secr3t!';
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchBrowser()]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const notesList = (page: Page) => page.getByRole('list', { name: 'Notes' });

async function openConsole(context: BrowserContext, tab: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/_blocks/#/${tab}`);
  await page.getByRole('heading', { name: tab.replace(/^./, (c) => c.toUpperCase()), level: 2 }).waitFor();
  return page;
}

describe('the Blocks console', () => {
  it('shows the code, the redacted calls, edits a note and deletes a user', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const app = await context.newPage();
    const errors = collectConsoleErrors(app);
    const email = `grace-${Date.now()}@example.com`;
    await app.goto(server.url);
    await app.getByRole('tab', { name: 'Create Account' }).click();
    await app.getByLabel('Email').fill(email);
    await app.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await app.getByLabel('Confirm Password').fill(PASSWORD);
    await app.getByRole('button', { name: 'Create Account' }).click();
    await app.getByLabel('Confirmation Code').waitFor();

    // The code, read where a developer would look for it: the console's Users tab.
    const users = await openConsole(context, 'users');
    const card = users.getByRole('listitem', { name: email });
    await expect.poll(() => card.locator('.codes').innerText()).toMatch(/sign-up confirmation code \d{6}/);
    const code = await card.locator('code.code').innerText();
    expect(code).toBe(await server.code(email));
    await screenshot(users, 'console-01-users');

    await app.getByLabel('Confirmation Code').fill(code);
    await app.getByRole('button', { name: 'Confirm' }).click();
    await app.getByRole('heading', { name: 'My notes' }).waitFor();
    await app.getByLabel('New note').fill('Buy oat milk');
    await app.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => notesList(app).innerText()).toContain('Buy oat milk');
    // A call carrying a password, as a sign-in method would: the log must show it redacted.
    const idToken = await app.evaluate(async (password) => {
      const key = Object.keys(localStorage).find((name) => name.endsWith('.idToken'))!;
      const token = localStorage.getItem(key)!;
      await fetch('/aws-blocks/api', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'notes.changePassword', params: { password, newPassword: password } }),
      });
      return token;
    }, PASSWORD);

    // The request log: new calls appear without a reload.
    const requests = await openConsole(context, 'requests');
    const log = requests.getByRole('list', { name: 'Requests' });
    await expect.poll(() => log.innerText()).toContain('notes.create');
    await expect.poll(() => log.innerText()).toContain('notes.changePassword');
    expect(await log.innerText()).toContain(email);
    await requests.getByLabel('Method').fill('notes.');
    await requests.getByRole('button', { name: /^notes\.create/ }).click();
    await expect.poll(() => requests.getByLabel('Params').innerText()).toContain('Buy oat milk');
    await requests.getByRole('button', { name: /^notes\.changePassword/ }).click();
    await expect.poll(() => requests.getByLabel('Params').innerText()).toContain('[redacted]');
    await screenshot(requests, 'console-02-requests');
    const shown = await requests.locator('body').innerText();
    expect(shown).not.toContain(PASSWORD);
    expect(shown).not.toContain(idToken);
    const before = await log.locator('li').count();
    await app.reload();
    await app.getByRole('heading', { name: 'My notes' }).waitFor();
    await expect.poll(() => log.locator('li').count()).toBeGreaterThan(before);

    // A background job: the export the app enqueues runs in the dev server, shows in the Jobs tab and in the log.
    await app.getByRole('button', { name: 'Email me an export' }).click();
    await expect.poll(() => app.getByRole('status').filter({ hasText: /export/i }).innerText()).toContain('Export emailed');
    const jobs = await openConsole(context, 'jobs');
    const exportJobs = jobs.getByRole('region', { name: 'AsyncJob notes-app/note-exports' });
    await expect.poll(() => exportJobs.getByLabel('Job counts of notes-app/note-exports').innerText()).toContain('Succeeded: 1');
    const schedule = jobs.getByRole('region', { name: 'CronJob notes-app/prune-exports' });
    await expect.poll(() => schedule.getByLabel('Schedule of notes-app/prune-exports').innerText()).toContain('cron(30 3 * * ? *)');
    await schedule.getByRole('button', { name: 'Run now' }).click();
    await expect.poll(() => schedule.getByLabel('Schedule of notes-app/prune-exports').innerText()).toContain('succeeded');
    await screenshot(jobs, 'console-05-jobs');
    await requests.getByLabel('Method').fill('notes-app/');
    const jobRun = requests.getByRole('button', { name: /^AsyncJob notes-app\/note-exports\s*succeeded/ });
    await jobRun.click();
    await expect.poll(() => requests.locator('.log-detail').innerText()).toMatch(/enqueued by request \S+[\s\S]*attempt 1/);
    expect(await requests.getByLabel('Payload').innerText()).toContain(email);
    await expect.poll(() => log.innerText()).toContain('CronJob notes-app/prune-exports');
    await requests.getByLabel('Method').fill('');

    // Edit the note in the Data tab; the app shows the new text.
    const data = await openConsole(context, 'data');
    const notes = data.getByRole('region', { name: 'KVStore notes-app/notes' });
    await notes.getByRole('button', { name: /Buy oat milk/ }).click();
    const editor = notes.getByLabel('Value (JSON)');
    const value = JSON.parse(await editor.inputValue()) as { text: string };
    await editor.fill(JSON.stringify({ ...value, text: 'Buy oat milk (edited in the console)' }, null, 2));
    await notes.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => notes.locator('.row-button').first().innerText()).toContain('v2');
    await screenshot(data, 'console-03-data');
    await app.reload();
    await expect.poll(() => notesList(app).innerText()).toContain('Buy oat milk (edited in the console)');

    // Delete the user: the app's next call gets a 401 and the app signs out.
    await users.reload();
    users.once('dialog', (dialog) => void dialog.accept());
    await users.getByRole('button', { name: `Delete ${email}` }).click();
    await expect.poll(() => users.getByRole('listitem', { name: email }).count()).toBe(0);
    await app.getByLabel('New note').fill('After the delete');
    await app.getByRole('button', { name: 'Add note' }).click();
    await app.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    // Phone width: no sideways scrolling, and a screenshot of the log.
    await requests.setViewportSize({ width: 375, height: 800 });
    await requests.reload();
    await expect.poll(() => log.innerText()).toContain('notes.create');
    expect(await requests.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(requests, 'console-04-phone');
    await jobs.setViewportSize({ width: 375, height: 800 });
    await jobs.reload();
    await expect.poll(() => jobs.getByLabel('Job counts of notes-app/note-exports').innerText()).toContain('Succeeded: 1');
    expect(await jobs.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    expect(unexpectedErrors(errors).filter((text) => !text.includes('401'))).toEqual([]);
    await context.close();
  }, 180_000);
});
