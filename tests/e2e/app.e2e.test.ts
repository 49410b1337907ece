import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { readEmailOutbox } from 'blocks-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectConsoleErrors,
  launchBrowser,
  screenshot,
  startDevServer,
  unexpectedErrors,
  type DevServer,
} from './harness';

const PASSWORD = 'Sup3r-secret!';
let server: DevServer;
let browser: Browser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const errors = collectConsoleErrors(page);
  await page.goto(server.url);
  return { page, errors };
}

async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const notesList = (page: Page) => page.getByRole('list', { name: 'Notes' });

async function addNote(page: Page, text: string): Promise<void> {
  await page.getByLabel('New note').fill(text);
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect.poll(() => notesList(page).innerText()).toContain(text);
}

describe('the app in a real browser, fully local', () => {
  it('signs up, confirms with the code, manages notes, survives a reload and signs out', async () => {
    const email = `ada-${Date.now()}@example.com`;
    const { page, errors } = await newPage();
    await screenshot(page, '01-sign-in');

    await page.getByRole('tab', { name: 'Create Account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm Password').fill(PASSWORD);
    await screenshot(page, '02-create-account');
    await page.getByRole('button', { name: 'Create Account' }).click();

    await page.getByLabel('Confirmation Code').waitFor();
    await screenshot(page, '03-confirm');
    await page.getByLabel('Confirmation Code').fill(await server.code(email));
    await page.getByRole('button', { name: 'Confirm' }).click();

    // Confirming signs in (Amplify's auto sign-in) and lands on the notes page.
    await page.getByRole('heading', { name: 'My notes' }).waitFor();
    await expect.poll(() => page.getByText('No notes yet').count()).toBe(1);
    await screenshot(page, '04-empty-notes');

    await addNote(page, 'Buy oat milk');
    await addNote(page, 'Call the plumber');
    const texts = await notesList(page).locator('.note-text').allInnerTexts();
    expect(texts).toEqual(['Call the plumber', 'Buy oat milk']);
    await screenshot(page, '05-notes');

    await page.getByRole('button', { name: 'Edit note: Buy oat milk' }).click();
    await page.getByLabel('Edit note', { exact: true }).fill('Buy oat milk and bread');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => notesList(page).innerText()).toContain('Buy oat milk and bread');

    await page.getByRole('button', { name: 'Delete note: Call the plumber' }).click();
    await expect.poll(() => notesList(page).innerText()).not.toContain('Call the plumber');

    // Phone width: everything still fits without sideways scrolling.
    await page.setViewportSize({ width: 375, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await screenshot(page, '05b-notes-phone');
    await page.setViewportSize({ width: 1100, height: 800 });

    await page.reload();
    await page.getByRole('heading', { name: 'My notes' }).waitFor();
    await expect.poll(() => notesList(page).locator('.note-text').allInnerTexts()).toEqual(['Buy oat milk and bread']);

    // A non-admin neither sees the admin link nor gets data from the admin page.
    expect(await page.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await page.goto(`${server.url}/#/admin`);
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('You do not have access');
    await screenshot(page, '06-admin-forbidden');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    // The 403 above is expected; anything else in the console is a bug.
    expect(unexpectedErrors(errors)).toEqual([]);
  });

  it('keeps two users’ notes apart and shows admins the admin page', async () => {
    await server.user('add', 'owner@example.com', '--password', PASSWORD);
    await server.user('add', 'boss@example.com', '--password', PASSWORD, '--group', 'admins');

    const owner = await newPage();
    await signIn(owner.page, 'owner@example.com');
    await owner.page.getByRole('heading', { name: 'My notes' }).waitFor();
    await addNote(owner.page, 'Owner’s secret plan');

    const boss = await newPage();
    await signIn(boss.page, 'boss@example.com');
    await boss.page.getByRole('heading', { name: 'My notes' }).waitFor();
    await expect.poll(() => boss.page.getByText('No notes yet').count()).toBe(1);
    expect(await boss.page.getByText('Owner’s secret plan').count()).toBe(0);

    await boss.page.getByRole('link', { name: 'Admin' }).click();
    await boss.page.getByRole('heading', { name: 'Admin' }).waitFor();
    await expect.poll(() => boss.page.locator('.stats').innerText()).toMatch(/Notes in sample\s+\d+/);
    await screenshot(boss.page, '07-admin');
    expect(unexpectedErrors(owner.errors)).toEqual([]);
    expect(unexpectedErrors(boss.errors)).toEqual([]);
  });

  it('shows the Authenticator’s errors for a wrong password and a wrong code', async () => {
    await server.user('add', 'careful@example.com', '--password', PASSWORD);
    const { page } = await newPage();
    await signIn(page, 'careful@example.com', 'Wrong-passw0rd!');
    await expect.poll(() => page.getByText('Incorrect username or password.').count()).toBe(1);
    await screenshot(page, '08-wrong-password');

    const email = `typo-${Date.now()}@example.com`;
    await page.getByRole('tab', { name: 'Create Account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Confirm Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create Account' }).click();
    await page.getByLabel('Confirmation Code').waitFor();
    const code = await server.code(email);
    const wrong = code === '000000' ? '111111' : '000000';
    await page.getByLabel('Confirmation Code').fill(wrong);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByText(/Invalid verification code/).count()).toBe(1);
    await screenshot(page, '09-wrong-code');
  });

  it('attaches an image, shows its thumbnail after a reload, downloads it byte for byte, refuses 11 MB, and keeps it from others', async () => {
    await server.user('add', 'files@example.com', '--password', PASSWORD);
    await server.user('add', 'snoop@example.com', '--password', PASSWORD);
    const owner = await newPage();
    await signIn(owner.page, 'files@example.com');
    await owner.page.getByRole('heading', { name: 'My notes' }).waitFor();
    await addNote(owner.page, 'Trip photos');

    const image = png(48, 32);
    await owner.page.getByLabel('Attach a file').setInputFiles({ name: 'beach.png', mimeType: 'image/png', buffer: image });
    const thumbnail = owner.page.getByRole('img', { name: 'beach.png' });
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(48);

    await owner.page.reload();
    await owner.page.getByRole('heading', { name: 'My notes' }).waitFor();
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(48);
    await screenshot(owner.page, '10-note-attachment');

    const link = owner.page.getByRole('link', { name: 'Download beach.png' });
    const [download] = await Promise.all([owner.page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('beach.png');
    expect(new Uint8Array(await readFile((await download.path())!))).toEqual(new Uint8Array(image));

    // 11 MB: refused before any byte is uploaded, with a sentence a person can act on.
    await owner.page.getByLabel('Attach a file').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(11 * 1024 * 1024) });
    await expect.poll(() => owner.page.getByRole('alert').filter({ hasText: 'huge.png' }).innerText()).toBe('huge.png: Attachments are limited to 10 MB');
    expect(await owner.page.getByRole('img', { name: 'huge.png' }).count()).toBe(0);

    // The note id is in the owner's download URL: another user asking the API for it gets nothing.
    const href = (await link.getAttribute('href'))!;
    const [, , , , ownerSub, noteId] = new URL(href, server.url).pathname.split('/').slice(1);
    expect(noteId).toMatch(/^[0-9a-z]{10}-[0-9a-f]{16}$/);
    const snoop = await newPage();
    await signIn(snoop.page, 'snoop@example.com');
    await snoop.page.getByRole('heading', { name: 'My notes' }).waitFor();
    const answers = await snoop.page.evaluate(async (id) => {
      const key = Object.keys(localStorage).find((name) => name.endsWith('.idToken'))!;
      const call = async (method: string, params: object) => {
        const response = await fetch('/aws-blocks/api', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem(key)}` },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
        });
        return { status: response.status, body: await response.text() };
      };
      return [
        await call('notes.attachments', { noteId: id }),
        await call('notes.attachmentUploadUrl', { noteId: id, name: 'x.png', contentType: 'image/png', size: 10 }),
      ];
    }, noteId!);
    expect(answers.map((answer) => answer.status)).toEqual([404, 404]);
    for (const answer of answers) expect(answer.body).not.toContain(ownerSub!);
    expect(unexpectedErrors(owner.errors)).toEqual([]);
  });

  it('emails an export of the notes from a background job, shows its state, and downloads it', async () => {
    await server.user('add', 'export@example.com', '--password', PASSWORD);
    const { page, errors } = await newPage();
    await signIn(page, 'export@example.com');
    await page.getByRole('heading', { name: 'My notes' }).waitFor();
    await addNote(page, 'First thought');
    await addNote(page, 'Second thought');

    await page.getByRole('button', { name: 'Email me an export' }).click();
    const state = page.getByRole('status').filter({ hasText: /export/i });
    await expect.poll(() => state.innerText()).toContain('Export emailed');
    await screenshot(page, '11-note-export');

    // The job ran in the dev server and mailed a link, which downloads the file.
    const mails = await readEmailOutbox({ dataDir: server.dataDir, scope: 'notes-app', id: 'mailer', to: 'export@example.com' });
    expect(mails.map((mail) => mail.subject)).toEqual(['Your notes export']);
    const link = /(http\S+)/.exec(mails[0]?.text ?? '')?.[1];
    expect(link?.startsWith(server.url)).toBe(true);
    const mailed = await page.evaluate(async (url) => (await fetch(url)).text(), link!);
    expect(mailed).toMatch(/^# My notes\n\nExported .*: 2 notes\./);
    expect(mailed).toContain('First thought');
    expect(mailed).toContain('Second thought');

    // The page's own link (fresh each time it is shown) downloads the same file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download export' }).click()]);
    expect(download.suggestedFilename()).toBe('notes-export.md');
    expect(await readFile((await download.path())!, 'utf8')).toBe(mailed);
    expect(unexpectedErrors(errors)).toEqual([]);
  });
});

/** A real PNG (RGB gradient), so the browser decodes it and reports its size. */
function png(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows.set([x * 5, y * 7, 160], y * (width * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
