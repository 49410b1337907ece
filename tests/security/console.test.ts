/**
 * The local Blocks console (/_blocks/) against the attacks a dev server
 * meets: a machine on the network, a DNS-rebound host name, and any web page
 * the developer has open (cross-site forms and fetches at localhost). None
 * may read it or change a user or an item through it. Also: the request log
 * never holds the test's passwords, tokens or secret setting, and neither
 * does the terminal's copy of it.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkConsoleRequest } from '../../packages/blocks/src/dev/console/guard.js';
import { createBlocksConsole } from '../../packages/blocks/src/dev/console/index.js';
import { startBlocksDevServer, type BlocksDevServer } from '../../packages/blocks/src/dev/server.js';
import { projectRoot } from './helpers.js';

const PASSWORD = 'Sec-urity-pa55!';
const NEW_PASSWORD = 'An0ther-pa55word!';
const SETTING_SECRET = 'whsec_console_test_5f3a9c1e7d';
let server: BlocksDevServer;
let dataDir: string;
let port: number;
const terminal: string[] = [];
const previous = { dataDir: process.env.BLOCKS_DATA_DIR, logCalls: process.env.BLOCKS_LOG_CALLS, mode: process.env.BLOCKS_MODE };

/** The machine's first address that is not loopback, if it has one. */
const outside = Object.values(networkInterfaces())
  .flat()
  .find((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)?.address;

interface Reply {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** Raw HTTP, so that Host, Origin and Sec-Fetch-* are exactly what an attacker's browser would send. */
function raw(target: { host?: string; port?: number; path: string; method?: string; headers?: Record<string, string>; body?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.host ?? '127.0.0.1', port: target.port ?? port, path: target.path, method: target.method ?? 'GET', headers: { host: `localhost:${port}`, ...target.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.once('error', reject);
    req.end(target.body);
  });
}

const CONSOLE = { 'x-blocks-console': '1' };
const JSON_BODY = { 'content-type': 'application/json' };
const sameOrigin = () => ({ origin: `http://localhost:${port}`, 'sec-fetch-site': 'same-origin' });

const consolePost = (action: string, input: object, headers: Record<string, string> = { ...CONSOLE, ...JSON_BODY, ...sameOrigin() }) =>
  raw({ path: `/_blocks/api/${action}`, method: 'POST', headers, body: JSON.stringify(input) });

async function rpc(method: string, params: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return raw({ path: '/aws-blocks/api', method: 'POST', headers: { ...JSON_BODY, ...headers }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'blocks-console-security-'));
  Object.assign(process.env, { BLOCKS_DATA_DIR: dataDir, BLOCKS_LOG_CALLS: '1', BLOCKS_MODE: 'local' });
  vi.spyOn(console, 'info').mockImplementation((...args: unknown[]) => void terminal.push(args.map(String).join(' ')));
  server = await startBlocksDevServer({ root: projectRoot });
  port = Number(new URL(server.url).port);
}, 180_000);

afterAll(async () => {
  await server?.close();
  vi.restoreAllMocks();
  for (const [name, value] of [['BLOCKS_DATA_DIR', previous.dataDir], ['BLOCKS_LOG_CALLS', previous.logCalls], ['BLOCKS_MODE', previous.mode]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('who may reach /_blocks', () => {
  it('answers the console page itself from this machine (the control case)', async () => {
    expect((await raw({ path: '/_blocks/api/sections', headers: { ...CONSOLE, ...sameOrigin() } })).status).toBe(200);
    expect((await raw({ path: '/_blocks/api/sections', headers: CONSOLE })).status).toBe(200);
  });

  it.skipIf(outside === undefined)('refuses a client on another address, page and API alike', async () => {
    // The console's middleware on every interface (as after `--host`), reached through a real non-loopback socket.
    const blocksConsole = createBlocksConsole({ load: async () => ({}), pool: () => undefined, transformHtml: async (_url, html) => html });
    const exposed: Server = createServer((req, res) => blocksConsole.middleware(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((resolve) => exposed.listen(0, '0.0.0.0', resolve));
    const exposedPort = (exposed.address() as { port: number }).port;
    try {
      for (const target of ['/_blocks/', '/_blocks/api/sections']) {
        const headers = { ...CONSOLE, host: `localhost:${exposedPort}` };
        const reply = await raw({ host: outside, port: exposedPort, path: target, headers });
        expect(reply.status, target).toBe(403);
        expect(reply.body).toContain('this machine only');
        // The control: the same request over loopback is answered.
        expect((await raw({ port: exposedPort, path: target, headers })).status, target).toBe(200);
      }
    } finally {
      await new Promise((resolve) => exposed.close(resolve));
    }
  });

  it('refuses a non-loopback peer whatever the headers say (checked on the socket, not on headers)', () => {
    const fake = (remoteAddress: string) =>
      ({ socket: { remoteAddress } as Socket, headers: { host: 'localhost:5173', 'x-blocks-console': '1', 'x-forwarded-for': '127.0.0.1' }, method: 'GET' }) as unknown as IncomingMessage;
    expect(checkConsoleRequest(fake('192.168.1.20'), 'api')).toMatchObject({ ok: false, status: 403 });
    expect(checkConsoleRequest(fake('::ffff:10.0.0.5'), 'page')).toMatchObject({ ok: false, status: 403 });
    expect(checkConsoleRequest(fake('::ffff:127.0.0.1'), 'api')).toEqual({ ok: true });
  });

  it('refuses a DNS-rebound host name', async () => {
    const reply = await raw({ path: '/_blocks/api/sections', headers: { ...CONSOLE, host: `attacker.example:${port}` } });
    expect(reply.status).toBe(403);
    expect((await raw({ path: '/_blocks/', headers: { host: `attacker.example:${port}` } })).status).toBe(403);
  });

  it('refuses a cross-site Origin and a cross-site navigation', async () => {
    for (const origin of ['https://attacker.example', `http://localhost:${port + 1}`, 'null']) {
      expect((await raw({ path: '/_blocks/api/sections', headers: { ...CONSOLE, origin } })).status, origin).toBe(403);
      expect((await raw({ path: '/_blocks/', headers: { origin } })).status, origin).toBe(403);
    }
    expect((await raw({ path: '/_blocks/', headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await raw({ path: '/_blocks/', headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
  });
});

describe('CSRF: a cross-site request changes nothing', () => {
  const users = async () => ((JSON.parse((await consolePost('users/list', {})).body) as { users: { email: string }[] }).users).map((user) => user.email);

  it('refuses writes without the console header, from another site, or not as JSON', async () => {
    const attempts: Array<[string, Record<string, string>, string?]> = [
      // What an HTML form on any site can send.
      ['form post', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }, 'email=victim%40example.com&password=x'],
      ['no console header', { ...JSON_BODY, ...sameOrigin() }],
      ['cross-site fetch', { ...CONSOLE, ...JSON_BODY, 'sec-fetch-site': 'cross-site' }],
      ['same-site other port', { ...CONSOLE, ...JSON_BODY, origin: `http://localhost:${port + 1}`, 'sec-fetch-site': 'same-site' }],
      ['text/plain body', { ...CONSOLE, 'content-type': 'text/plain', ...sameOrigin() }],
    ];
    for (const [name, headers, body] of attempts) {
      const reply = await raw({ path: '/_blocks/api/users/create', method: 'POST', headers, body: body ?? JSON.stringify({ email: 'victim@example.com', password: PASSWORD }) });
      expect([403, 415], name).toContain(reply.status);
      const item = await raw({ path: '/_blocks/api/blocks/notes-app/notes/put', method: 'POST', headers, body: JSON.stringify({ key: 'planted', value: { text: 'x' } }) });
      expect([403, 415], name).toContain(item.status);
    }
    expect(await users()).not.toContain('victim@example.com');
    const planted = JSON.parse((await consolePost('blocks/notes-app/notes/get', { key: 'planted' })).body) as { item: unknown };
    expect(planted.item).toBeNull();
    // The same request from the console page itself works.
    expect((await consolePost('users/create', { email: 'victim@example.com', password: PASSWORD })).status).toBe(200);
    expect(await users()).toContain('victim@example.com');
    expect((await consolePost('users/delete', { email: 'victim@example.com' })).status).toBe(200);
  });

  it('refuses a cross-site re-drive or run-now of a job', async () => {
    const lastRun = async () => (JSON.parse((await consolePost('blocks/notes-app/prune-exports/status', {})).body) as { lastRun: unknown }).lastRun;
    expect(await lastRun()).toBeNull();
    const attempts: Array<[string, Record<string, string>]> = [
      ['form post', { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }],
      ['cross-site fetch', { ...CONSOLE, ...JSON_BODY, origin: 'https://attacker.example', 'sec-fetch-site': 'cross-site' }],
      ['no console header', { ...JSON_BODY, ...sameOrigin() }],
    ];
    for (const [name, headers] of attempts) {
      const runNow = await raw({ path: '/_blocks/api/blocks/notes-app/prune-exports/runNow', method: 'POST', headers, body: '{}' });
      expect([403, 415], name).toContain(runNow.status);
      const redrive = await raw({ path: '/_blocks/api/blocks/notes-app/note-exports/redrive', method: 'POST', headers, body: JSON.stringify({ jobId: 'any' }) });
      expect([403, 415], name).toContain(redrive.status);
    }
    expect(await lastRun()).toBeNull();
    // The control: the console page itself runs it now, and reaches the re-drive action (no such dead letter).
    expect(JSON.parse((await consolePost('blocks/notes-app/prune-exports/runNow', {})).body)).toMatchObject({ outcome: 'succeeded' });
    expect(await lastRun()).toMatchObject({ outcome: 'succeeded' });
    expect((await consolePost('blocks/notes-app/note-exports/redrive', { jobId: 'any' })).status).toBe(404);
  });

  it('never grants another site a CORS preflight', async () => {
    const reply = await raw({
      path: '/_blocks/api/users/create',
      method: 'OPTIONS',
      headers: { origin: 'https://attacker.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-blocks-console,content-type' },
    });
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers a client mistake with a 4xx and a message, not a 500', async () => {
    expect((await consolePost('users/create', { email: 'x@example.com' })).status).toBe(400);
    expect((await consolePost('users/delete', { email: 'nobody@example.com' })).status).toBe(404);
    expect((await consolePost('users/__proto__', {})).status).toBe(404);
    expect((await consolePost('blocks/notes-app/notes/toString', {})).status).toBe(404);
    expect((await consolePost('blocks/notes-app/notes/import', { lines: 'not json' })).status).toBe(400);
    const reply = await raw({ path: '/_blocks/api/users/list', method: 'POST', headers: { ...CONSOLE, ...JSON_BODY, ...sameOrigin() }, body: '{' });
    expect(reply.status).toBe(400);
  });
});

describe('console actions take effect on the next call', () => {
  async function signedIn(email: string): Promise<Record<string, string>> {
    expect((await consolePost('users/create', { email, password: PASSWORD })).status).toBe(200);
    const pool = server.userPool!;
    const reply = await pool.handle({ target: 'InitiateAuth', body: { ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD } } });
    return { authorization: `Bearer ${(reply.body as { AuthenticationResult: { IdToken: string } }).AuthenticationResult.IdToken}` };
  }

  it('a disabled or deleted user\'s token is refused with 401 at once', async () => {
    const disabled = await signedIn('disabled@example.com');
    expect((await rpc('notes.list', {}, disabled)).status).toBe(200);
    expect((await consolePost('users/disable', { email: 'disabled@example.com' })).status).toBe(200);
    const refused = await rpc('notes.list', {}, disabled);
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.body)).toMatchObject({ jsonrpc: '2.0', id: 1, error: { code: -32001, data: { status: 401 } } });
    // Enabling again does not revive the old sign-in (disabling ended every session).
    expect((await consolePost('users/enable', { email: 'disabled@example.com' })).status).toBe(200);
    expect((await rpc('notes.list', {}, disabled)).status).toBe(401);

    const deleted = await signedIn('deleted@example.com');
    expect((await rpc('notes.list', {}, deleted)).status).toBe(200);
    expect((await consolePost('users/delete', { email: 'deleted@example.com' })).status).toBe(200);
    expect((await rpc('notes.list', {}, deleted)).status).toBe(401);
    // Still signed in: another user is not affected.
    expect((await rpc('notes.list', {}, await signedIn('bystander@example.com'))).status).toBe(200);
  });
});

describe('the request log keeps no secrets', () => {
  it('redacts passwords, tokens, cookies and the secret setting in the stored log and the terminal', async () => {
    expect((await consolePost('users/create', { email: 'log@example.com', password: PASSWORD })).status).toBe(200);
    expect((await consolePost('blocks/notes-app/webhook-secret/set', { value: SETTING_SECRET })).status).toBe(200);
    const pool = server.userPool!;
    const signIn = await pool.handle({
      target: 'InitiateAuth',
      body: { ClientId: pool.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'log@example.com', PASSWORD } },
    });
    const tokens = (signIn.body as { AuthenticationResult: { IdToken: string; AccessToken: string; RefreshToken: string } }).AuthenticationResult;
    const auth = { authorization: `Bearer ${tokens.IdToken}`, cookie: `session=${tokens.RefreshToken}` };

    // A console page is open (it polls the log), so results are recorded too.
    expect((await raw({ path: '/_blocks/api/requests', headers: { ...CONSOLE, ...sameOrigin() } })).status).toBe(200);
    const created = await rpc('notes.create', { text: `remember ${SETTING_SECRET}` }, auth);
    expect(created.status).toBe(200);
    // The note holds the secrets, so the result echoes them: the log must not.
    expect(created.body).toContain(SETTING_SECRET);
    await rpc('notes.signIn', { email: 'log@example.com', password: PASSWORD, newPassword: NEW_PASSWORD, refreshToken: tokens.RefreshToken, accessToken: tokens.AccessToken }, auth);
    await rpc('notes.list', { limit: 5 }, auth);
    await raw({ path: '/aws-blocks/raw/webhooks/notes', method: 'POST', headers: { ...JSON_BODY, 'x-notes-signature': `sha256=${'0'.repeat(64)}`, ...auth }, body: JSON.stringify({ secret: SETTING_SECRET }) });

    const list = JSON.parse((await raw({ path: '/_blocks/api/requests', headers: { ...CONSOLE, ...sameOrigin() } })).body) as { entries: { seq: number; method: string; caller: { label: string } }[] };
    expect(list.entries.map((entry) => entry.method)).toEqual(expect.arrayContaining(['notes.create', 'notes.signIn', 'notes.list', 'POST /aws-blocks/raw/webhooks/notes']));
    expect(list.entries.find((entry) => entry.method === 'notes.create')?.caller.label).toBe('log@example.com');
    const details = await Promise.all(list.entries.map(async (entry) => (await raw({ path: `/_blocks/api/requests/${entry.seq}`, headers: { ...CONSOLE, ...sameOrigin() } })).body));
    const stored = [JSON.stringify(list), ...details].join('\n');
    expect(stored).toContain('[redacted]');
    expect(stored).toContain('remember');
    // The echoed note (a result) is kept, with the secret setting's value redacted inside it.
    expect(details.find((detail) => detail.includes('"method":"notes.create"'))).toMatch(/"result":\{[^}]*"text":"remember \[redacted\]"/);
    const printed = terminal.join('\n');
    expect(printed).toContain('[rpc-in]');
    expect(printed).toContain('[rpc-out]');
    for (const secret of [PASSWORD, NEW_PASSWORD, SETTING_SECRET, tokens.IdToken, tokens.AccessToken, tokens.RefreshToken]) {
      expect(stored.includes(secret), `stored log holds ${secret.slice(0, 12)}…`).toBe(false);
      expect(printed.includes(secret), `terminal holds ${secret.slice(0, 12)}…`).toBe(false);
    }
  });
});
