/**
 * The local EmailClient as an app uses it: messages land in the outbox (one
 * JSON file each, read back with readEmailOutbox) with one terminal line,
 * and bad input sent over real HTTP is a 400 that writes nothing and leaves
 * the server serving.
 */
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiNamespace } from '../../core/api-namespace.js';
import { Scope } from '../../core/scope.js';
import { localDataDir } from '../../local/data-dir.js';
import { createDispatcher } from '../../rpc/dispatcher.js';
import { serveRpc } from '../../transports/node.js';
import { formatMailbox } from './address.js';
import { EmailClient, readEmailOutbox, type EmailMessage } from './index.js';

const scope = new Scope(`email-test-${process.pid}`);
const mail = new EmailClient(scope, 'mail', { from: { address: 'no-reply@example.com', name: 'Example App' } });
const outbox = () => readEmailOutbox({ scope: scope.name, id: 'mail' });

describe('EmailClient (local)', () => {
  it('writes each message to the outbox and prints one line', async () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const sent = await mail.send({
      to: ['ada@example.com', { address: 'grace@example.org', name: 'Grace Hopper' }],
      subject: 'Welcome, Ada',
      text: 'Hello\r\nthere',
      html: '<p>Hello</p>',
      replyTo: 'help@example.com',
    });
    const lines = info.mock.calls.map(([line]) => String(line));
    info.mockRestore();

    const [message, ...others] = await outbox();
    expect(others).toEqual([]);
    expect(message).toMatchObject({
      format: 'blocks-email/1',
      messageId: sent.messageId,
      block: `${scope.name}/mail`,
      from: { address: 'no-reply@example.com', name: 'Example App' },
      to: [{ address: 'ada@example.com' }, { address: 'grace@example.org', name: 'Grace Hopper' }],
      replyTo: [{ address: 'help@example.com' }],
      subject: 'Welcome, Ada',
      text: 'Hello\r\nthere', // bodies may have line breaks; only headers may not
      html: '<p>Hello</p>',
    });
    expect(Date.parse(message!.sentAt)).not.toBeNaN();
    expect(path.dirname(message!.file)).toBe(path.join(localDataDir(), 'email-outbox', scope.name, 'mail'));
    expect(JSON.parse(await readFile(message!.file, 'utf8'))).toEqual(Object.fromEntries(Object.entries(message!).filter(([key]) => key !== 'file')));
    expect(lines).toEqual([expect.stringMatching(/^\[blocks\] email to ada@example\.com, grace@example\.org: "Welcome, Ada" \(outbox: .+\.json\)$/)]);
    expect(lines[0]).toContain(path.join('email-outbox', scope.name, 'mail', `${sent.messageId}.json`));
  });

  it('reads the outbox oldest first and filters by recipient', async () => {
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    for (const n of [1, 2, 3]) await mail.send({ to: n === 2 ? 'Other@Example.com' : 'reader@example.com', subject: `No. ${n}`, text: '.' });
    vi.restoreAllMocks();
    expect((await readEmailOutbox({ scope: scope.name, to: 'reader@example.com' })).map((m) => m.subject)).toEqual(['No. 1', 'No. 3']);
    expect((await readEmailOutbox({ scope: scope.name, to: 'other@example.com' })).map((m) => m.subject)).toEqual(['No. 2']);
    expect(await readEmailOutbox({ scope: 'no-such-scope' })).toEqual([]);
    await expect(readEmailOutbox({ scope: '../etc' })).rejects.toThrow(TypeError);
  });

  it('refuses a bad sender or identity at startup', () => {
    const other = new Scope('email-startup');
    expect(() => new EmailClient(other, 'a', { from: 'not-an-address' })).toThrow(/option from is not an email address/);
    expect(() => new EmailClient(other, 'b', { from: { address: 'x@example.com', name: 'Evil\r\nBcc: y@example.com' } })).toThrow(/control character/);
    expect(() => new EmailClient(other, 'c', { from: 'x@example.com', identity: 'other.example' })).toThrow(/identity must be/);
    expect(new EmailClient(other, 'd', { from: 'x@Example.com', identity: 'example.com' }).identity).toBe('example.com');
    expect(new EmailClient(other, 'e', { from: 'x@example.com' }).identity).toBe('x@example.com');
  });

  it('formats display names safely, encoding non-ASCII ones', () => {
    expect(formatMailbox({ address: 'a@example.com' })).toBe('a@example.com');
    expect(formatMailbox({ address: 'a@example.com', name: 'Ada "the first" \\ L' })).toBe('"Ada \\"the first\\" \\\\ L" <a@example.com>');
    const encoded = formatMailbox({ address: 'z@example.com', name: 'Zoë Ünïcødé '.repeat(5) });
    const words = encoded.replace(/ <z@example\.com>$/, '').split(' ');
    expect(words.length).toBeGreaterThan(1);
    for (const word of words) {
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      expect(word.length).toBeLessThanOrEqual(75);
    }
    const decoded = words.map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).join('');
    expect(decoded).toBe('Zoë Ünïcødé '.repeat(5));
  });
});

describe('EmailClient over HTTP: bad input is a 400 and the server stays up', () => {
  const httpScope = new Scope(`email-http-${process.pid}`);
  const httpMail = new EmailClient(httpScope, 'mail', { from: 'no-reply@example.com' });
  const api = new ApiNamespace(httpScope, 'api', () => ({
    notify: (message: EmailMessage) => httpMail.send(message),
  }));
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const dispatcher = createDispatcher({ api });
    server = createServer((req, res) => void serveRpc(req, res, dispatcher));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/aws-blocks/api`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  let id = 0;
  async function notify(message: unknown): Promise<{ status: number; body: { result?: unknown; error?: { message: string; data?: Record<string, unknown> } } }> {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method: 'api.notify', params: message }),
    });
    return { status: response.status, body: (await response.json()) as never };
  }

  const good = { to: 'ada@example.com', subject: 'Hi', text: 'Hello' };
  const cases: [string, unknown, RegExp][] = [
    ['malformed address', { ...good, to: 'ada.example.com' }, /Email to is not an email address/],
    ['address with two @', { ...good, to: 'ada@@example.com' }, /Email to is not an email address/],
    ['address without a domain dot', { ...good, to: 'ada@localhost' }, /domain/],
    ['address with a display name in the string', { ...good, to: 'Ada <ada@example.com>' }, /local part/],
    ['CRLF in the subject', { ...good, subject: 'Hi\r\nBcc: victim@example.com' }, /Email subject contains a line break/],
    ['LF alone in the subject', { ...good, subject: 'Hi\nthere' }, /line break/],
    ['a Unicode line separator in the subject', { ...good, subject: 'Hi\u2028there' }, /line break/],
    ['CRLF in an address', { ...good, to: ['ok@example.com', 'ada@example.com\r\nBcc: victim@example.com'] }, /Email to\[1\] contains a line break/],
    ['CRLF in a reply-to address', { ...good, replyTo: 'x@example.com\r\n' }, /Email replyTo contains a line break/],
    ['CRLF in a display name', { ...good, to: { address: 'ada@example.com', name: 'Ada\r\nBcc: v@example.com' } }, /has a name that contains a line break/],
    ['NUL in a display name', { ...good, to: { address: 'ada@example.com', name: 'Ada\u0000' } }, /control character/],
    ['a lone surrogate in the subject', { ...good, subject: 'Hi \uD800' }, /Email subject is not valid Unicode text/],
    ['no recipient', { ...good, to: [] }, /at least one address/],
    ['no body', { to: 'ada@example.com', subject: 'Hi' }, /text or an html body/],
    ['an unknown field', { ...good, bcc: 'spy@example.com' }, /unknown field "bcc"/],
    ['an empty subject', { ...good, subject: ' ' }, /non-empty/],
    ['a non-ASCII domain', { ...good, to: 'ada@exämple.com' }, /punycode/],
  ];

  it.each(cases)('answers 400 for %s', async (_name, message, expected) => {
    const before = (await readEmailOutbox({ scope: httpScope.name })).length;
    const { status, body } = await notify(message);
    expect(status).toBe(400);
    expect(body.error?.message).toMatch(expected);
    expect(body.error?.data).toMatchObject({ status: 400, name: 'BadRequestError' });
    expect((await readEmailOutbox({ scope: httpScope.name })).length).toBe(before);
  });

  it('still sends after all of them, and only that message is in the outbox', async () => {
    vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const { status, body } = await notify(good);
    vi.restoreAllMocks();
    expect(status).toBe(200);
    expect(body.result).toEqual({ messageId: expect.any(String) });
    const files = (await readdir(path.join(localDataDir(), 'email-outbox', httpScope.name, 'mail'))).filter((name) => name.endsWith('.json'));
    expect(files).toEqual([`${(body.result as { messageId: string }).messageId}.json`]);
  });
});
